# src/vmm/emu: see its header files.
