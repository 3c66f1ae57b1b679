# src/vmm/kvm: see its header files.
