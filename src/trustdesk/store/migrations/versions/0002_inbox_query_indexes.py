"""Inbox list and search: indexes for keyset pages, accent-folded PostgreSQL search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:55:00

- conversations (priority, id) and (waiting_since, id): the unfiltered "priority" and "waiting" sorts
  walk an index instead of sorting the whole table.
- messages (created_at, id): search results are newest first; the planner can walk it for common words.
- SQLite only, messages (id, created_at, channel_id): sorting FTS5 matches newest first reads this
  covering index instead of the wide message rows (2-3x faster for common words).
- PostgreSQL: search_vector is rebuilt over ``trustdesk_fold(...)``: accents removed and
  ``- . / @ _ : + ' < > &`` read as spaces ("<script>" would otherwise be dropped as an HTML tag), so
  "cafe" finds "Café" and "123456" finds "BB-123456", as SQLite's ``unicode61 remove_diacritics 2``
  tokenizer already does. The query side applies the same function.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Latin, Latin Extended and Greek letters with diacritics -> base letter.
# Generated once from Unicode NFKD decompositions and frozen here (a migration must never change).
FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎ"
    "ďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞ"
    "şŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǣǦǧǨǩǪǫǬǭǮǯǰǴ"
    "ǵǸǹǺǻǼǽǾǿȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐ"
    "ḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖ"
    "ṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạ"
    "ẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủ"
    "ỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹΆΈΉΊΌΎΏΐΪΫάέήίΰϊϋόύώ"
)
FOLD_TO = (
    "AAAAAACEEEEIIIINOOOOOOUUUUYaaaaaaceeeeiiiinoooooouuuuyyAaAaAaCcCcCcCcD"
    "dDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjKkLlLlLlLlNnNnNnOoOoOoRrRrRrSsSsS"
    "sSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaÆæGgKkOoOoƷʒjG"
    "gNnAaÆæØøAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYyAaBbBbBbCcDdDdDdD"
    "dDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMmMmMmNnNnNnNnOoOoOoOoPpP"
    "pRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVvWwWwWwWwWwXxXxYyZzZzZzhtwysAa"
    "AaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUu"
    "UuUuUuUuUuYyYyYyYyΑΕΗΙΟΥΩιΙΥαεηιυιυουω"
)


# Read as spaces, as SQLite's tokenizer does.
SEPARATORS = "-./@_:+'<>&"
# translate() costs O(text x table): only texts with an accented letter pay for the big table.
ACCENTED = "[À-ɏḀ-ỹΆ-ώ]"


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_priority", ["priority", "id"], unique=False)
        batch_op.create_index("ix_conversations_waiting", ["waiting_since", "id"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_created", ["created_at", "id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # FTS5 hands back matching rowids in rowid order; sorting them newest first reads created_at
        # (and channel_id for the brand filter) from this small covering index, not the wide rows.
        op.create_index("ix_messages_search_order", "messages", ["id", "created_at", "channel_id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    assert len(FOLD_FROM) == len(FOLD_TO)
    accents = f"translate(value, {_sql_literal(FOLD_FROM)}, {_sql_literal(FOLD_TO)})"
    folded = f"CASE WHEN value ~ {_sql_literal(ACCENTED)} THEN {accents} ELSE value END"
    separators = f"translate({folded}, {_sql_literal(SEPARATORS)}, {_sql_literal(' ' * len(SEPARATORS))})"
    op.execute(
        "CREATE FUNCTION trustdesk_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $fold$ SELECT {separators} $fold$"
    )
    op.execute("DROP INDEX IF EXISTS ix_messages_search")
    op.execute("ALTER TABLE messages DROP COLUMN search_vector")
    op.execute(
        "ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        "(to_tsvector('simple', trustdesk_fold(coalesce(title, '') || ' ' || left(text, 100000)))) STORED"
    )
    op.execute("CREATE INDEX ix_messages_search ON messages USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_messages_search")
        op.execute("ALTER TABLE messages DROP COLUMN search_vector")
        op.execute(
            "ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(title, '') || ' ' || left(text, 100000))) STORED"
        )
        op.execute("CREATE INDEX ix_messages_search ON messages USING gin (search_vector)")
        op.execute("DROP FUNCTION IF EXISTS trustdesk_fold(text)")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_messages_search_order", "messages")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_created")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_waiting")
        batch_op.drop_index("ix_conversations_priority")
