"""`mnd staff`, and what the signed-in commands say without a valid token or without Temporal."""

from __future__ import annotations

import pytest

from tests.cli.helpers import TOKEN, add_member, mnd, sh
from tests.tcp_proxy import free_port

pytestmark = pytest.mark.usefixtures("records_env")


def test_add_prints_a_first_token_and_list_shows_the_member() -> None:
    result = sh(
        "staff add prov-01 --name 'Marta Ruiz' --email Marta.Ruiz@Claro.com.co "
        "--role provisioning --role Supervisor"
    )
    assert result.exit_code == 0, result.stderr
    assert "Miembro «prov-01» (Marta Ruiz) creado con roles: Aprovisionamiento, Supervisor." in (
        result.stdout
    )
    assert TOKEN.search(result.stdout) and "no se vuelve a mostrar" in result.stdout

    listed = mnd("staff", "list")
    [row] = [line for line in listed.stdout.splitlines() if "prov-01" in line]
    assert "Marta Ruiz" in row and "Aprovisionamiento, Supervisor" in row and "sí" in row
    assert "marta.ruiz@claro.com.co" in row.lower()


def test_add_refuses_bad_input_in_one_spanish_line() -> None:
    add_member("cons-01", "consultant")
    duplicate = sh("staff add cons-01 --name X --email x@claro.com.co --role consultant")
    assert duplicate.exit_code == 1
    assert duplicate.stderr == "Ya existe un miembro del equipo con id «cons-01».\n"
    bad_role = sh("staff add x1 --name X --email x@claro.com.co --role jefe")
    assert bad_role.exit_code == 2 and bad_role.stderr.startswith("Rol desconocido «jefe»: use")
    bad_email = sh("staff add x2 --name X --email no-es-correo --role ally")
    assert bad_email.exit_code == 2
    assert bad_email.stderr.startswith("correo: correo electrónico no válido: «no-es-correo»")


def test_token_and_revoke() -> None:
    first = add_member("ally-01", "ally")
    second_run = mnd("staff", "token", "ally-01", "--label", "portátil")
    assert second_run.exit_code == 0
    found = TOKEN.search(second_run.stdout)
    assert found is not None
    second = found.group(0)
    assert second != first
    for token in (first, second):
        assert mnd("inbox", "--token", token).exit_code == 0

    revoked = mnd("staff", "revoke", "ally-01")
    assert (revoked.exit_code, revoked.stdout) == (0, "Tokens revocados de «ally-01»: 2.\n")
    refused = mnd("inbox", "--token", second)
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith(
        "El token no es válido, fue revocado o su usuario está inactivo"
    )

    # A member still active gets a new token; a deactivated one does not.
    assert mnd("staff", "token", "ally-01").exit_code == 0
    gone = mnd("staff", "revoke", "ally-01", "--deactivate")
    assert "quedó inactivo" in gone.stdout
    after = mnd("staff", "token", "ally-01")
    assert (after.exit_code, after.stderr) == (1, "No existe un miembro activo con id «ally-01».\n")
    assert "no" in next(
        line for line in mnd("staff", "list").stdout.splitlines() if "ally-01" in line
    )


def test_unknown_member() -> None:
    assert mnd("staff", "revoke", "nadie").stderr == (
        "No existe un miembro del equipo con id «nadie».\n"
    )


def test_signed_in_commands_need_a_token() -> None:
    for args in (
        ["inbox"],
        ["sale", "list"],
        ["sale", "show", "X-1"],
        ["act", "X-1", "cancel_sale"],
    ):
        result = mnd(*args)
        assert result.exit_code == 1, args
        assert result.stderr == (
            "Falta su token personal: use --token o la variable MND_TOKEN (un operador lo crea "
            "con `mnd staff add` o `mnd staff token`).\n"
        )
    wrong = mnd("inbox", "--token", "mnd_inventado")
    assert wrong.exit_code == 1 and wrong.stderr.startswith("El token no es válido")


def test_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MND_TOKEN", add_member("ally-02", "ally", name="Aliado Dos"))
    result = mnd("inbox")
    assert result.exit_code == 0
    assert result.stdout == "Bandeja vacía: ninguna venta espera por Aliado Dos (Aliado).\n"


def test_no_temporal_is_one_spanish_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nothing listens there
    token = add_member("cons-02", "consultant")
    result = mnd("sale", "show", "X-1", "--token", token)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("No se pudo conectar con Temporal en 127.0.0.1:")


def test_password_sets_the_console_password() -> None:
    add_member("cs-01", "commercial_support")
    short = mnd("staff", "password", "cs-01", "--password", "corta")
    assert short.exit_code == 1
    assert short.stderr == "La contraseña debe tener al menos 10 caracteres.\n"
    done = mnd("staff", "password", "cs-01", "--password", "una-clave-larga")
    assert done.exit_code == 0 and "sesiones abiertas se cerraron" in done.stdout
    unknown = mnd("staff", "password", "nadie", "--password", "una-clave-larga")
    assert unknown.stderr == "No existe un miembro del equipo con id «nadie».\n"
