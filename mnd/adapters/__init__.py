"""Adapters: the side effects the activities need (outbox, records), here backed by plain files."""

from mnd.adapters.outbox_folder import FolderOutbox
from mnd.adapters.records_folder import FolderRecords, WorkOrderNotFound

__all__ = ["FolderOutbox", "FolderRecords", "WorkOrderNotFound"]
