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
	src/conf/domain_metadata.c \
	src/conf/domain_config.c \
	src/conf/domain_virtio.c src/conf/domain_virtio.h

# One test program per source file; the config test compiles src/vmm/cli.c
# (part of `tandem` only) to parse the generated argv back.
CONF_TESTS = tests/conf/test-domain-def tests/conf/test-domain-parse \
	tests/conf/test-domain-format tests/conf/test-domain-check tests/conf/test-domain-config \
	tests/conf/test-domain-metadata
check_PROGRAMS += $(CONF_TESTS)
TESTS += $(CONF_TESTS)
CONF_TEST_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) $(LIBVIRT_CFLAGS)
CONF_TEST_CPPFLAGS = $(AM_CPPFLAGS) -DTANDEM_SRCDIR='"$(abs_top_srcdir)"'
CONF_TEST_LIBS = src/conf/libtandem_conf.a src/vmm/libtandem_core.a $(XML_LIBS) $(GLIB_LIBS)
tests_conf_test_domain_def_SOURCES = tests/conf/test-domain-def.c tests/conf/conf-test-util.h
tests_conf_test_domain_def_CFLAGS = $(CONF_TEST_CFLAGS)
tests_conf_test_domain_def_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_conf_test_domain_def_LDADD = $(CONF_TEST_LIBS)
tests_conf_test_domain_parse_SOURCES = tests/conf/test-domain-parse.c tests/conf/conf-test-util.h
tests_conf_test_domain_parse_CFLAGS = $(CONF_TEST_CFLAGS)
tests_conf_test_domain_parse_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_conf_test_domain_parse_LDADD = $(CONF_TEST_LIBS)
tests_conf_test_domain_format_SOURCES = tests/conf/test-domain-format.c tests/conf/conf-test-util.h
tests_conf_test_domain_format_CFLAGS = $(CONF_TEST_CFLAGS)
tests_conf_test_domain_format_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_conf_test_domain_format_LDADD = $(CONF_TEST_LIBS)
tests_conf_test_domain_check_SOURCES = tests/conf/test-domain-check.c tests/conf/conf-test-util.h
tests_conf_test_domain_check_CFLAGS = $(CONF_TEST_CFLAGS)
tests_conf_test_domain_check_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_conf_test_domain_check_LDADD = $(CONF_TEST_LIBS)
tests_conf_test_domain_config_SOURCES = tests/conf/test-domain-config.c tests/conf/conf-test-util.h src/vmm/cli.c src/vmm/cli.h
tests_conf_test_domain_config_CFLAGS = $(CONF_TEST_CFLAGS)
tests_conf_test_domain_config_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_conf_test_domain_config_LDADD = $(CONF_TEST_LIBS)
tests_conf_test_domain_metadata_SOURCES = tests/conf/test-domain-metadata.c tests/conf/conf-test-util.h
tests_conf_test_domain_metadata_CFLAGS = $(CONF_TEST_CFLAGS)
tests_conf_test_domain_metadata_CPPFLAGS = $(CONF_TEST_CPPFLAGS)
tests_conf_test_domain_metadata_LDADD = $(CONF_TEST_LIBS)
# Parity with real libvirt (python3-libvirt's in-process test driver).
check_PROGRAMS += tests/conf/conf-parse-tool
tests_conf_conf_parse_tool_SOURCES = tests/conf/conf-parse-tool.c
tests_conf_conf_parse_tool_CFLAGS = $(CONF_TEST_CFLAGS)
tests_conf_conf_parse_tool_LDADD = $(CONF_TEST_LIBS)
TESTS += tests/conf/test-libvirt-parity.py
EXTRA_DIST += tests/conf/test-libvirt-parity.py tests/conf/libvirt-random-diff.py tests/conf/fuzz-domain-xml.c
EXTRA_DIST += examples/xml/README.md examples/xml/minimal-emu.xml examples/xml/minimal-kvm.xml examples/xml/disk-net.xml examples/xml/network.xml
