# src/conf: domain XML <-> machine configuration (libxml2), shared by
# virttandemd and `tandem run --domain`. Link with $(XML_LIBS) $(GLIB_LIBS).
noinst_LIBRARIES += src/conf/libtandem_conf.a
src_conf_libtandem_conf_a_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) $(LIBVIRT_CFLAGS)
src_conf_libtandem_conf_a_SOURCES = \
	src/conf/conf_error.c src/conf/conf_error.h \
	src/conf/conf_xml.c src/conf/conf_xml.h \
	src/conf/domain_def.c src/conf/domain_def.h \
	src/conf/domain_parse.c src/conf/domain_parse_dev.c src/conf/domain_parse_priv.h \
	src/conf/domain_format.c \
	src/conf/domain_check.c \
	src/conf/domain_config.c

check_PROGRAMS += tests/conf/test-domain-def
TESTS += tests/conf/test-domain-def
tests_conf_test_domain_def_SOURCES = tests/conf/test-domain-def.c src/vmm/cli.c src/vmm/cli.h
tests_conf_test_domain_def_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) $(LIBVIRT_CFLAGS)
tests_conf_test_domain_def_CPPFLAGS = $(AM_CPPFLAGS) -DTANDEM_SRCDIR='"$(abs_top_srcdir)"'
tests_conf_test_domain_def_LDADD = src/conf/libtandem_conf.a src/vmm/libtandem_core.a $(XML_LIBS) $(GLIB_LIBS)
EXTRA_DIST += examples/xml/minimal-emu.xml examples/xml/minimal-kvm.xml examples/xml/disk-net.xml
