# src/hw: devices.
