# src/vmm/boot: see its header files.
