"""Server-side session revocation: each account has a session generation; raising it ends all its sessions."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from assessment.db.models import User


def end_all_sessions(session: Session, user_id: int) -> None:
    """End every signed-in session of the account on its next request (in the caller's transaction)."""
    session.execute(update(User).where(User.id == user_id)
                    .values(session_generation=User.session_generation + 1))
