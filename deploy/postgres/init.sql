-- One PostgreSQL server, one database per service: no service reads another's tables.
CREATE DATABASE content;
CREATE DATABASE assessment;
CREATE DATABASE notify;
