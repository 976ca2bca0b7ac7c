-- The records database of the application, beside Temporal's own databases (created by
-- the Temporal setup): one PostgreSQL server, separate databases and users.
CREATE USER mnd WITH PASSWORD 'mnd';
CREATE DATABASE mnd OWNER mnd;
