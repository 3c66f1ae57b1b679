# The kvm engine (thin: /dev/kvm ioctls only).
noinst_LIBRARIES += src/vmm/kvm/libtandem_kvm.a
src_vmm_kvm_libtandem_kvm_a_SOURCES = src/vmm/kvm/kvm_engine.c src/vmm/kvm/kvm.h
