"""Django's RedisCache, with one redis-py client per connection pool.

Django makes a new `redis.Redis` for every cache operation, and redis-py builds its
table of response callbacks in each: about 250 µs a call, more than a whole page-cache
hit costs otherwise. A client is safe to share (its pool hands out the connections)."""

from django.core.cache.backends import redis


class _Client(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = super().get_client(key, write=write)
        return self._clients[index]


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _Client

    def listen(self, channel: str):
        """A subscription to `channel` (its key made as a cache key's), once Redis has
        confirmed it: redis-py's PubSub, to read with get_message()."""
        listener = self._cache.get_client(write=False).pubsub()
        listener.subscribe(self.make_key(channel))
        confirmed = listener.get_message(timeout=2.0)
        if not confirmed or confirmed["type"] != "subscribe":
            raise ConnectionError(f"no subscription to {channel}: {confirmed}")
        return listener

    def announce(self, channel: str, message: str) -> None:
        self._cache.get_client(write=True).publish(self.make_key(channel), message)
