"""Reading the views (SPEC §8): each read first checks that the views concerned have
applied the cycle's last stored event, and answers None otherwise, so that the
application computes the answer from the events instead. Filters, order and pages are
done in SQL; the rows are the stored answer documents, so both ways give the same bytes.

A listing over cycles (cycles, tree, history) takes the view's rows of the cycles it
has followed to their end, and names the others (`Partial.behind`: with events after
the view's position, or that a view stopped following) for the application to read
from their events.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Connection, distinct, func, select

from assess.application.service import AssessApp
from assess.application.views import NoSuchVersion, Partial
from assess.domain.cycle import cycle_uuid
from assess.infrastructure import view_tables as t


class ViewReader:
    """The views as `application.views.ReadViews` reads them."""

    def __init__(self, app: AssessApp) -> None:
        recorder: Any = app.recorder
        self.engine = recorder.datastore.engine
        self.events = recorder._table
        self.tracking = t.tracking_recorder(recorder.datastore)
        self.repeatable = self.engine.dialect.name == "postgresql"
        t.create_tables(self.engine, self.tracking)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """One transaction; on PostgreSQL one snapshot for the check and the rows."""
        connection = self.engine.connect()
        if self.repeatable:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield connection
        finally:
            connection.rollback()
            connection.close()

    def _current(self, c: Connection, cycle_id: str, views: Sequence[str]) -> bool:
        """Whether every one of `views` has applied the cycle's last stored event."""
        uuid = cycle_uuid(cycle_id)
        last = c.execute(
            select(func.max(self.events.c.originator_version)).where(
                self.events.c.originator_id == uuid
            )
        ).scalar()
        if last is None:
            return False
        cur = t.cursors.c
        standing: dict[str, int] = dict(
            c.execute(  # type: ignore[arg-type]
                select(cur.view, cur.position).where(
                    cur.originator_id == str(uuid), cur.view.in_(views)
                )
            ).all()
        )
        return all(standing.get(view) == last for view in views)

    # ---- one cycle ------------------------------------------------------------------------

    def versions(self, cycle_id: str) -> list[dict[str, Any]] | None:
        with self._reading() as c:
            if not self._current(c, cycle_id, ("results",)):
                return None
            v = t.versions.c
            rows = c.execute(
                select(v.version, v.position, v.digest, v.moment)
                .where(v.cycle == cycle_id)
                .order_by(v.version)
            ).all()
        return [dict(row._mapping) for row in rows]

    def results(
        self,
        cycle_id: str,
        version: int | None,
        category: str | None = None,
        unit: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[dict[str, Any], int] | None:
        """The results document of a version (the latest by default) with the rows of
        one page, and how many rows pass the filters; `NoSuchVersion` for a version that
        does not exist."""
        with self._reading() as c:
            if not self._current(c, cycle_id, ("results",)):
                return None
            v = t.versions.c
            found = select(v.version, v.scheme, v.digest).where(v.cycle == cycle_id)
            if version is None:
                found = found.order_by(v.version.desc()).limit(1)
            else:
                found = found.where(v.version == version)
            head = c.execute(found).first()
            if head is None:
                count = c.execute(
                    select(func.count()).select_from(t.versions).where(v.cycle == cycle_id)
                ).scalar()
                raise NoSuchVersion(int(count or 0))
            r = t.results.c
            where = [r.cycle == cycle_id, r.version == head.version]
            if category is not None:
                where.append(r.category == category)
            if unit is not None:
                where.append(r.unit == unit)
            total = c.execute(select(func.count()).select_from(t.results).where(*where)).scalar()
            page = select(r.doc).where(*where).order_by(r.ord).offset(offset)
            if limit is not None:
                page = page.limit(limit)
            rows = [orjson.loads(doc) for (doc,) in c.execute(page)]
            if not self.repeatable and not self._current(c, cycle_id, ("results",)):
                return None  # rebuilt while being read
        document = {
            "cycle": cycle_id,
            "scheme": head.scheme,
            "version": head.version,
            "digest": head.digest,
            "results": rows,
        }
        return document, int(total or 0)

    def audit(
        self,
        cycle_id: str,
        unit: str | None = None,
        verb: str | None = None,
        actor: str | None = None,
        since_us: int | None = None,
        until_us: int | None = None,
        positions: tuple[int, int] | None = None,
        offset: int = 0,
        limit: int | None = None,
        account: str | None = None,
    ) -> tuple[list[dict[str, Any]], int] | None:
        """Audit rows in order, filtered and paged, and how many pass the filters."""
        a = t.audit.c
        where: list[Any] = [a.cycle == cycle_id]
        if unit is not None:
            u = t.audit_units.c
            where.append(
                a.position.in_(select(u.position).where(u.cycle == cycle_id, u.unit == unit))
            )
        if verb is not None:
            where.append(a.verb == verb)
        if actor is not None:
            where.append(a.actor == actor)
        if account is not None:
            where.append(a.account == account)
        if since_us is not None:
            where.append(a.recorded_us >= since_us)
        if until_us is not None:
            where.append(a.recorded_us < until_us)
        if positions is not None:
            where.extend([a.position > positions[0], a.position <= positions[1]])
        with self._reading() as c:
            if not self._current(c, cycle_id, ("audit",)):
                return None
            total = c.execute(select(func.count()).select_from(t.audit).where(*where)).scalar()
            page = select(a.doc).where(*where).order_by(a.position).offset(offset)
            if limit is not None:
                page = page.limit(limit)
            rows = [orjson.loads(doc) for (doc,) in c.execute(page)]
            if not self.repeatable and not self._current(c, cycle_id, ("audit",)):
                return None
        return rows, int(total or 0)

    def touching(
        self, cycle_id: str, start: int, end: int
    ) -> dict[str, list[dict[str, Any]]] | None:
        """The audit rows of the events in (start, end], under each unit they concern."""
        a, u = t.audit.c, t.audit_units.c
        query = (
            select(u.unit, a.doc)
            .join(t.audit, (a.cycle == u.cycle) & (a.position == u.position))
            .where(u.cycle == cycle_id, u.position > start, u.position <= end)
            .order_by(a.position, u.unit)
        )
        with self._reading() as c:
            if not self._current(c, cycle_id, ("audit",)):
                return None
            found: dict[str, list[dict[str, Any]]] = {}
            for unit, doc in c.execute(query):
                found.setdefault(unit, []).append(orjson.loads(doc))
            if not self.repeatable and not self._current(c, cycle_id, ("audit",)):
                return None
        return found

    def appeals(self, cycle_id: str, unit: str | None) -> list[dict[str, Any]] | None:
        p = t.appeals.c
        query = select(p.doc, p.status).where(p.cycle == cycle_id).order_by(p.position)
        if unit is not None:
            query = query.where(p.unit == unit)
        with self._reading() as c:
            if not self._current(c, cycle_id, ("audit",)):
                return None
            listed = []
            for doc, status in c.execute(query):
                appeal = orjson.loads(doc)
                appeal["status"] = status
                listed.append(appeal)
            if not self.repeatable and not self._current(c, cycle_id, ("audit",)):
                return None
        return listed

    # ---- over cycles ----------------------------------------------------------------------

    def _behind(self, c: Connection, view: str) -> set[UUID] | None:
        """The cycles with events after the view's position, and those it stopped
        following; None if the view has never run."""
        tracking = self.tracking.tracking_table
        position = c.execute(
            select(tracking.c.notification_id).where(tracking.c.application_name == view)
        ).scalar()
        if position is None:
            return None
        e, cur = self.events.c, t.cursors.c
        behind = {
            t.as_uuid(oid)
            for (oid,) in c.execute(select(distinct(e.originator_id)).where(e.id > position))
        }
        stopped = select(cur.originator_id).where(cur.view == view, cur.position == t.CORRUPT)
        behind.update(UUID(oid) for (oid,) in c.execute(stopped))
        return behind

    def cycles(self) -> Partial | None:
        with self._reading() as c:
            behind = self._behind(c, "cycles")
            if behind is None:
                return None
            y = t.cycles.c
            rows = c.execute(select(y.cycle, y.originator_id, y.corrupt, y.doc)).all()
        listing = Partial(behind=behind)
        for cycle_id, oid, corrupt, doc in rows:
            uuid = UUID(oid)
            if corrupt:
                listing.behind.add(uuid)
            elif uuid not in behind:
                listing.documents[cycle_id] = orjson.loads(doc)
        return listing

    def history(self, unit: str) -> Partial | None:
        """The unit's history entries by cycle."""
        with self._reading() as c:
            behind = self._behind(c, "history")
            if behind is None:
                return None
            h, y = t.history.c, t.cycles.c
            rows = c.execute(
                select(h.cycle, h.stage, h.doc, y.originator_id)
                .join(t.cycles, y.cycle == h.cycle, isouter=True)
                .where(h.unit == unit)
            ).all()
        listing = Partial(behind=behind)
        for cycle_id, stage, doc, oid in rows:
            if oid is not None and UUID(oid) in behind:
                continue
            entry = orjson.loads(doc)
            entry["stage"] = stage
            listing.documents[cycle_id] = entry
        return listing

    def tree(self, year: int) -> Partial | None:
        """Per cycle of the year: its summary, run_by, unit ids and grade counts."""
        with self._reading() as c:
            behind = self._behind(c, "cycles")
            history_behind = self._behind(c, "history")
            if behind is None or history_behind is None:
                return None
            behind |= history_behind
            y, u, h = t.cycles.c, t.units.c, t.history.c
            rows = c.execute(
                select(y.cycle, y.originator_id, y.corrupt, y.doc, y.run_by).where(y.year == year)
            ).all()
            ids = [row.cycle for row in rows]
            units: dict[str, list[str]] = {}
            for cycle_id, unit in c.execute(
                select(u.cycle, u.unit).where(u.cycle.in_(ids)).order_by(u.cycle, u.unit)
            ):
                units.setdefault(cycle_id, []).append(unit)
            grades: dict[str, dict[str, int]] = {}
            for cycle_id, doc in c.execute(select(h.cycle, h.doc).where(h.cycle.in_(ids))):
                grade = orjson.loads(doc)["grade"]
                counts = grades.setdefault(cycle_id, {})
                counts[grade] = counts.get(grade, 0) + 1
        listing = Partial(behind=behind)
        for cycle_id, oid, corrupt, doc, run_by in rows:
            uuid = UUID(oid)
            if corrupt:
                listing.behind.add(uuid)
            elif uuid not in behind:
                listing.documents[cycle_id] = {
                    "summary": orjson.loads(doc),
                    "run_by": run_by,
                    "units": units.get(cycle_id, []),
                    "grades": grades.get(cycle_id, {}),
                }
        return listing
