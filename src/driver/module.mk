# src/driver: virttandemd, the libvirt driver daemon.
# The wire format comes from our own rpc/tandem_protocol.x through rpcgen;
# the generated C is compiled in its own library with warnings relaxed.
DRIVER_RPC_GEN = src/driver/rpc/tandem_protocol.h src/driver/rpc/tandem_protocol.c
BUILT_SOURCES += $(DRIVER_RPC_GEN)
CLEANFILES += $(DRIVER_RPC_GEN)
EXTRA_DIST += src/driver/rpc/tandem_protocol.x

src/driver/rpc/tandem_protocol.h: $(top_srcdir)/src/driver/rpc/tandem_protocol.x
	$(AM_V_GEN)$(MKDIR_P) src/driver/rpc && rm -f $@ && \
	(cd src/driver/rpc && $(RPCGEN) -h -o tandem_protocol.h $(abs_top_srcdir)/src/driver/rpc/tandem_protocol.x)
src/driver/rpc/tandem_protocol.c: $(top_srcdir)/src/driver/rpc/tandem_protocol.x src/driver/rpc/tandem_protocol.h
	$(AM_V_GEN)$(MKDIR_P) src/driver/rpc && \
	$(RPCGEN) -c -o $@.tmp $(top_srcdir)/src/driver/rpc/tandem_protocol.x && \
	sed -e 's|^#include ".*tandem_protocol.h"|#include "tandem_protocol.h"|' $@.tmp > $@ && rm -f $@.tmp

DRIVER_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/src/driver/rpc $(TIRPC_CFLAGS) \
	$(JSON_GLIB_CFLAGS) $(XML_CFLAGS) $(LIBVIRT_CFLAGS) -DTANDEM_BINDIR='"$(bindir)"'

noinst_LIBRARIES += src/driver/libtandem_rpcgen.a src/driver/libtandem_driver.a
nodist_src_driver_libtandem_rpcgen_a_SOURCES = $(DRIVER_RPC_GEN)
src_driver_libtandem_rpcgen_a_CPPFLAGS = $(DRIVER_CPPFLAGS)
# rpcgen output: unused variables and the like, not ours to fix
src_driver_libtandem_rpcgen_a_CFLAGS = $(AM_CFLAGS) -w

src_driver_libtandem_driver_a_SOURCES = \
	src/driver/rpc/rpc_server.c src/driver/rpc/rpc_server.h \
	src/driver/drv_error.c src/driver/drv_error.h \
	src/driver/drv_def.h src/driver/drv_def_conf.c \
	src/driver/drv_net.c src/driver/drv_net.h \
	src/driver/domain.c src/driver/domain.h \
	src/driver/events.c src/driver/events.h \
	src/driver/store.c src/driver/store.h \
	src/driver/monitor.c src/driver/monitor.h \
	src/driver/process.c src/driver/process.h \
	src/driver/console.c src/driver/console.h \
	src/driver/dispatch.c src/driver/dispatch.h src/driver/api.h \
	src/driver/api_host.c src/driver/api_query.c src/driver/api_lifecycle.c src/driver/api_stats.c \
	src/driver/daemon.c src/driver/daemon.h
src_driver_libtandem_driver_a_CPPFLAGS = $(DRIVER_CPPFLAGS)

# objects need the generated header even when a single target is built
$(src_driver_libtandem_driver_a_OBJECTS) $(virttandemd_OBJECTS): src/driver/rpc/tandem_protocol.h

DRIVER_LIBS = src/driver/libtandem_driver.a src/driver/libtandem_rpcgen.a \
	src/conf/libtandem_conf.a src/vmm/kvm/libtandem_kvm_probe.a src/vmm/libtandem_core.a \
	$(JSON_GLIB_LIBS) $(XML_LIBS) $(TIRPC_LIBS) $(LIBVIRT_LIBS) $(GLIB_LIBS)

sbin_PROGRAMS += virttandemd
virttandemd_SOURCES = src/driver/main.c
virttandemd_CPPFLAGS = $(DRIVER_CPPFLAGS)
virttandemd_LDADD = $(DRIVER_LIBS)

# systemd units (system and user), installed with the daemon
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemduserunitdir = $(prefix)/lib/systemd/user
systemdsystemunit_DATA = data/systemd/virttandemd.service
dist_systemdsystemunit_DATA = data/systemd/virttandemd.socket data/systemd/virttandemd-ro.socket
systemduserunit_DATA = data/systemd/user/virttandemd.service
dist_systemduserunit_DATA = data/systemd/user/virttandemd.socket
EXTRA_DIST += data/systemd/virttandemd.service.in data/systemd/user/virttandemd.service.in
CLEANFILES += data/systemd/virttandemd.service data/systemd/user/virttandemd.service
data/systemd/virttandemd.service data/systemd/user/virttandemd.service: %: $(top_srcdir)/%.in
	$(AM_V_GEN)$(MKDIR_P) $(@D) && sed -e 's|@sbindir[@]|$(sbindir)|g' $< > $@

include tests/driver/module.mk
