"""All SQL of the assistant. Conversations and actions are their user's: each read names the user too."""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, case, cast, delete, func, select

from colony.assistant.models import ActionStatus, CallStatus, Conversation, LlmLog, Message, PendingAction
from colony.core.repository import ALL_TENANTS, Repository, TenantRepository, rowcount
from colony.core.schemas import PageParams
from colony.users.models import User

C, M, A, L = Conversation, Message, PendingAction, LlmLog


class ConversationRepository(TenantRepository[Conversation]):
    model = Conversation

    async def list(self, user_id: uuid.UUID, params: PageParams) -> tuple[Sequence[Conversation], int]:
        statement = self.scoped().where(C.user_id == user_id).order_by(C.updated_at.desc(), C.id)
        return await self.page(statement, params)

    async def get_mine(self, conversation_id: uuid.UUID, user_id: uuid.UUID) -> Conversation | None:
        return await self.first(C.id == conversation_id, C.user_id == user_id)


class MessageRepository(TenantRepository[Message]):
    model = Message

    async def of(self, conversation_id: uuid.UUID) -> Sequence[Message]:
        statement = self.scoped().where(M.conversation_id == conversation_id).order_by(M.created_at, M.id)
        return (await self.session.execute(statement)).scalars().all()

    async def latest(self, conversation_id: uuid.UUID, limit: int) -> list[Message]:
        """The conversation's last `limit` messages, oldest first."""
        statement = (self.scoped().where(M.conversation_id == conversation_id)
                     .order_by(M.created_at.desc(), M.id.desc()).limit(limit))
        return list(reversed((await self.session.execute(statement)).scalars().all()))


class ActionRepository(TenantRepository[PendingAction]):
    model = PendingAction

    async def get_mine(self, action_id: uuid.UUID, user_id: uuid.UUID) -> PendingAction | None:
        return await self.first(A.id == action_id, A.user_id == user_id)

    async def of_conversation(self, conversation_id: uuid.UUID) -> Sequence[PendingAction]:
        statement = self.scoped().where(A.conversation_id == conversation_id).order_by(A.created_at, A.id)
        return (await self.session.execute(statement)).scalars().all()

    async def claim(self, action: PendingAction, status: ActionStatus, now: dt.datetime) -> bool:
        """Decide a pending action, once: of two concurrent decisions, the second finds it decided."""
        return await self.update_where(A.id == action.id, A.status == ActionStatus.pending, A.expires_at > now,
                                       status=status, decided_at=now) == 1


class LlmLogRepository(TenantRepository[LlmLog]):
    model = LlmLog

    async def usage_since(self, user_id: uuid.UUID, since: dt.datetime) -> tuple[int, int, int]:
        """(calls, prompt tokens, completion tokens) of the user since `since`."""
        statement = (select(func.count(), func.coalesce(func.sum(L.prompt_tokens), 0),
                            func.coalesce(func.sum(L.completion_tokens), 0))
                     .where(self._mine(), L.user_id == user_id, L.created_at >= since))
        calls, prompt, completion = (await self.session.execute(statement)).one()
        return int(calls), int(prompt), int(completion)

    async def list(self, user_id: uuid.UUID, params: PageParams, conversation_id: uuid.UUID | None
                   ) -> tuple[Sequence[LlmLog], int]:
        statement = self.scoped().where(L.user_id == user_id)
        if conversation_id is not None:
            statement = statement.where(L.conversation_id == conversation_id)
        return await self.page(statement.order_by(L.created_at.desc(), L.call_index.desc(), L.id), params)

    async def forget_content(self, conversation_id: uuid.UUID) -> int:
        """What a conversation said leaves its logs; the usage stays (quotas and the admins' counts)."""
        return await self.update_where(L.conversation_id == conversation_id, request=None, response=None,
                                       tool_calls=None)


class AllLlmLogsRepository(Repository[LlmLog]):
    """The cross-tenant reads and deletes: retention, and the administrators' usage counts."""

    model = LlmLog

    async def delete_before(self, cutoff: dt.datetime) -> int:
        statement = delete(L).where(L.created_at < cutoff).execution_options(**{ALL_TENANTS: True})
        return rowcount(await self.session.execute(statement))

    async def usage_by_user_and_day(self, start: dt.date, end: dt.date, params: PageParams) -> tuple[list[Any], int]:
        """Calls and tokens per user and UTC day, never content; newest day first."""
        if self.session.get_bind().dialect.name == "postgresql":
            day = cast(func.timezone("UTC", L.created_at), Date).label("day")
        else:  # SQLite keeps UTC text: its date() is the UTC day
            day = func.date(L.created_at).label("day")
        since = dt.datetime.combine(start, dt.time(), dt.UTC)
        until = dt.datetime.combine(end, dt.time.max, dt.UTC)
        grouped = (select(L.user_id, User.email, day, func.count().label("calls"),
                          func.sum(L.prompt_tokens).label("prompt_tokens"),
                          func.sum(L.completion_tokens).label("completion_tokens"),
                          func.sum(case((L.status != CallStatus.ok, 1), else_=0)).label("failed_calls"))
                   .join(User, User.id == L.user_id)
                   .where(L.created_at >= since, L.created_at <= until)
                   .group_by(L.user_id, User.email, day)
                   .execution_options(**{ALL_TENANTS: True}))
        total = int((await self.session.execute(
            select(func.count()).select_from(grouped.subquery()).execution_options(**{ALL_TENANTS: True}))
        ).scalar_one())
        rows = (await self.session.execute(grouped.order_by(day.desc(), User.email)
                                           .limit(params.size).offset(params.offset))).all()
        return list(rows), total
