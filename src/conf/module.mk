# src/conf: domain XML <-> machine configuration.
