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

bin_PROGRAMS += tandem
tandem_SOURCES = \
	src/vmm/main.c \
	src/vmm/cli.c src/vmm/cli.h
tandem_LDADD = \
	src/vmm/libtandem_core.a \
	$(GLIB_LIBS)
