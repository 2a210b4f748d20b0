"""A beat scheduler that also records that it is alive, for the health check."""

import time

from celery.beat import PersistentScheduler

from . import services


class HeartbeatScheduler(PersistentScheduler):
    """Celery's default scheduler, noting each tick (at most twice a minute) in the database."""

    _last = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last >= 30:
            try:
                services.beat("beat")
                self._last = now
            except Exception:  # the database may be away for a moment; beat goes on
                self.logger.exception("Could not record the beat heartbeat")
        return super().tick(*args, **kwargs)
