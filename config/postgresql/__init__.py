"""Django's PostgreSQL backend with a health check that costs no round trip when none is needed
(``base.DatabaseWrapper``). Settings select it for every PostgreSQL ``DATABASE_URL``."""
