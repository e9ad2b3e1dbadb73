from parindex.integrity.chain import payload
from parindex.integrity.models import HistoryRecord


def payload_of(record: HistoryRecord) -> str:
    return payload(
        chain=record.chain,
        seq=record.seq,
        table_name=record.table_name,
        row_id=record.row_id,
        operation=record.operation,
        at=record.at,
        actor=record.actor,
        old=record.old,
        new=record.new,
    )
