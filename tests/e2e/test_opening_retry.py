"""Opening a sale survives a lost answer (issue 8, item 7): the start is retried on transient
errors, and a retry that meets the run its own earlier attempt started answers "opened", while
a different open of the same sale id is still refused.

The opening client goes through `TcpProxy`, which loses the start's answer once the server gave
it (the run exists, the caller sees CANCELLED "context canceled", or a broken connection): the
same faults `test_temporal_recycle.py` meets at random points, here on the start itself.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.testing import WorkflowEnvironment

from mnd.domain.sale import workflow_id_for
from mnd.domain.steps import StepId
from mnd.opening import OPEN_REQUEST_MEMO, open_sale
from mnd.reading import describe
from mnd.services.sales import SaleAlreadyExists, SaleService
from tests import factories as f
from tests.support import running_worker
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.devserver

LOST_START = "an earlier attempt opened run"


@pytest_asyncio.fixture
async def proxy(dev_env: WorkflowEnvironment) -> AsyncIterator[TcpProxy]:
    host, port = dev_env.client.service_client.config.target_host.rsplit(":", 1)
    proxy = TcpProxy(host, int(port), http2=True)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()


async def through(proxy: TcpProxy, dev_env: WorkflowEnvironment) -> Client:
    """A client of the same server whose calls cross the proxy."""
    return await Client.connect(
        f"127.0.0.1:{proxy.port}",
        namespace=dev_env.client.namespace,
        data_converter=pydantic_data_converter,
    )


@pytest.mark.parametrize("cancel", [True, False], ids=["cancelled", "broken"])
async def test_an_open_whose_answer_was_lost_is_answered_as_opened(
    dev_env: WorkflowEnvironment,
    proxy: TcpProxy,
    tmp_path: Path,
    cancel: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sale_id = f"LOST-OPEN-{uuid.uuid4().hex[:8]}"
    async with running_worker(dev_env.client, tmp_path) as stack:
        service = SaleService(await through(proxy, dev_env), stack.task_queue)
        # The server starts the run, then the proxy drops its answer.
        proxy.recycle_on_next_answer(cancel=cancel)
        with caplog.at_level(logging.WARNING):
            state = await service.open(f.open_input(sale_id))
        assert proxy.answers_lost == 1
        assert state.sale_id == sale_id and state.step is StepId.TEMPLATE_SELECTION
        retried = [r.getMessage() for r in caplog.records if LOST_START in r.getMessage()]
        if cancel:
            # The SDK does not retry CANCELLED: this retry is ours, and it met its own run.
            assert len(retried) == 1 and sale_id in retried[0], caplog.text
        # Once: one run, carrying the open request's id, and a second open of the id (another
        # request) is refused.
        described = await describe(stack.client, workflow_id_for(sale_id))
        info = described.workflow_execution_info
        assert info.first_run_id == info.execution.run_id
        assert OPEN_REQUEST_MEMO in info.memo.fields
        with pytest.raises(SaleAlreadyExists):
            await service.open(f.open_input(sale_id))
        await stack.client.get_workflow_handle(workflow_id_for(sale_id)).terminate("fin")


async def test_another_open_of_an_existing_id_is_refused_on_its_retry_too(
    dev_env: WorkflowEnvironment,
    proxy: TcpProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sale_id = f"DUP-OPEN-{uuid.uuid4().hex[:8]}"
    client = await through(proxy, dev_env)
    first = await open_sale(client, f.open_input(sale_id), "tq-no-worker", request_id="first")
    # A second open, by another request: its refusal's answer is lost, so the refusal it meets
    # next is on a retry, and that run is not its own.
    proxy.recycle_on_next_answer(cancel=True)
    with caplog.at_level(logging.WARNING), pytest.raises(WorkflowAlreadyStartedError) as refused:
        await open_sale(client, f.open_input(sale_id), "tq-no-worker", request_id="second")
    assert proxy.answers_lost == 1
    assert refused.value.run_id == first.result_run_id
    assert "attempt 1 of 6" in caplog.text and LOST_START not in caplog.text
    # The first attempt of a different open is refused as before, without a retry.
    caplog.clear()
    with caplog.at_level(logging.WARNING), pytest.raises(WorkflowAlreadyStartedError):
        await open_sale(client, f.open_input(sale_id), "tq-no-worker", request_id="third")
    assert caplog.text == ""
    await dev_env.client.get_workflow_handle(workflow_id_for(sale_id)).terminate("fin")
