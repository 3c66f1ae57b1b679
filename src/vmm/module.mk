# Machine core: guest RAM, buses, irq routing, clock, config, and `tandem`.
noinst_LIBRARIES += src/vmm/libtandem_core.a
src_vmm_libtandem_core_a_SOURCES = \
	src/vmm/layout.h \
	src/vmm/guest_mem.c src/vmm/guest_mem.h \
	src/vmm/bus.c src/vmm/bus.h \
	src/vmm/irq.c src/vmm/irq.h \
	src/vmm/vclock.c src/vmm/vclock.h \
	src/vmm/machine_config.c src/vmm/machine_config.h \
	src/vmm/cpu_state.h src/vmm/engine.h

# Process plumbing: serial backends and the control socket.
noinst_LIBRARIES += src/vmm/libtandem_ctl.a
src_vmm_libtandem_ctl_a_SOURCES = \
	src/vmm/chardev.c src/vmm/chardev.h \
	src/vmm/control.c src/vmm/control.h
src_vmm_libtandem_ctl_a_CFLAGS = $(AM_CFLAGS) $(JSON_GLIB_CFLAGS)

# The machine and its run loop.
noinst_LIBRARIES += src/vmm/libtandem_machine.a
src_vmm_libtandem_machine_a_SOURCES = \
	src/vmm/machine.c src/vmm/machine.h \
	src/vmm/vcpu_loop.c \
	src/vmm/run.c src/vmm/run.h

bin_PROGRAMS += tandem
tandem_SOURCES = \
	src/vmm/main.c \
	src/vmm/cli.c src/vmm/cli.h
# Order matters for static libraries: users before what they use.
TANDEM_LIBS = \
	src/conf/libtandem_conf.a \
	src/vmm/libtandem_machine.a \
	src/vmm/libtandem_ctl.a \
	src/hw/virtio/libtandem_virtio.a \
	src/hw/virtio/libtandem_net.a \
	src/hw/virtio/libtandem_block.a \
	src/hw/libtandem_hw.a \
	src/hw/libtandem_intc.a \
	src/vmm/boot/libtandem_boot.a \
	src/vmm/emu/libtandem_emu.a \
	src/vmm/emu/libtandem_fpu.a \
	src/vmm/kvm/libtandem_kvm.a \
	src/vmm/libtandem_core.a
tandem_LDADD = $(TANDEM_LIBS) \
	$(XML_LIBS) $(JSON_GLIB_LIBS) $(SLIRP_LIBS) $(GLIB_LIBS) $(ZLIB_LIBS) $(LZMA_LIBS) $(LZ4_LIBS) $(ZSTD_LIBS) -lm
dist_man1_MANS += docs/tandem.1
