# src/driver: virttandemd.
