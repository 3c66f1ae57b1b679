/* Tests of src/conf: domain XML parsing (libvirt's rules and error
 * codes), formatting (libvirt's schema, round trips, live XML), the
 * define-time whitelist, and the translation to machine_config/argv. */
#include "vmm/machine_config.h"
#include "vmm/cli.h"
#include "conf/conf_error.h"
#include "conf/domain_def.h"

#include <glib.h>
#include <string.h>

#define MINIMAL_HEAD \
	"<domain type='qemu'>\n" \
	"  <name>t1</name>\n" \
	"  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n" \
	"  <memory unit='MiB'>256</memory>\n" \
	"  <os>\n" \
	"    <type arch='x86_64' machine='pc'>hvm</type>\n" \
	"    <kernel>/boot/vmlinuz</kernel>\n" \
	"    <initrd>/boot/initrd.img</initrd>\n" \
	"    <cmdline>console=ttyS0 quiet</cmdline>\n" \
	"  </os>\n" \
	"  <features><acpi/><apic/></features>\n"

/* A domain with `devices` as its <devices> content. */
static char *with_devices(const char *devices)
{
	return g_strdup_printf(MINIMAL_HEAD "  <devices>\n%s\n  </devices>\n</domain>\n", devices);
}

static const char minimal_xml[] =
	MINIMAL_HEAD
	"  <devices>\n"
	"    <serial type='pty'/>\n"
	"  </devices>\n"
	"</domain>\n";

static struct domain_def *parse_ok(const char *xml, unsigned flags)
{
	g_autoptr(GError) err = NULL;
	struct domain_def *d = domain_def_parse(xml, flags, &err);
	if (!d)
		g_test_message("parse failed: %s\n%s", err->message, xml);
	g_assert_no_error(err);
	g_assert_nonnull(d);
	return d;
}

/* Parsing fails with CONF_ERROR/code and a message containing `part`. */
static void parse_fails(const char *xml, unsigned flags, int code, const char *part)
{
	g_autoptr(GError) err = NULL;
	struct domain_def *d = domain_def_parse(xml, flags, &err);
	g_assert_null(d);
	g_assert_error(err, CONF_ERROR, code);
	if (part && !strstr(err->message, part))
		g_error("message '%s' lacks '%s'", err->message, part);
}

static void assert_valid(const char *xml)
{
	g_autoptr(GError) err = NULL;
	if (!domain_xml_validate(xml, &err))
		g_error("formatted XML does not validate: %s\n%s", err->message, xml);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		g_error("'%s' not found in:\n%s", needle, hay);
}

/* --- basics and defaults ---------------------------------------------- */

static void test_minimal_defaults(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	g_assert_cmpint(d->virt, ==, DOMAIN_VIRT_QEMU);
	g_assert_cmpstr(d->name, ==, "t1");
	g_autofree char *u = domain_uuid_format(d->uuid);
	g_assert_cmpstr(u, ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
	g_assert_cmpuint(d->memory_kib, ==, 256 * 1024);
	g_assert_cmpuint(d->current_memory_kib, ==, 256 * 1024);
	g_assert_cmpuint(d->vcpus, ==, 1);
	g_assert_cmpuint(d->vcpus_current, ==, 1);
	g_assert_cmpstr(d->vcpu_placement, ==, "static");
	g_assert_cmpstr(d->os_type, ==, "hvm");
	g_assert_cmpstr(d->arch, ==, "x86_64");
	g_assert_cmpstr(d->machine, ==, "pc");
	g_assert_cmpstr(d->kernel, ==, "/boot/vmlinuz");
	g_assert_cmpstr(d->initrd, ==, "/boot/initrd.img");
	g_assert_cmpstr(d->cmdline, ==, "console=ttyS0 quiet");
	g_assert_cmpstr(d->boot_devs[0], ==, "hd");
	g_assert_null(d->boot_devs[1]);
	g_assert_true(d->acpi && d->apic && !d->pae);
	g_assert_cmpstr(d->clock_offset, ==, "utc");
	g_assert_cmpint(d->on_poweroff, ==, LIFECYCLE_DESTROY);
	g_assert_cmpint(d->on_reboot, ==, LIFECYCLE_RESTART);
	g_assert_cmpint(d->on_crash, ==, LIFECYCLE_DESTROY);
	g_assert_cmpstr(d->emulator, ==, DOMAIN_DEFAULT_EMULATOR);
	g_assert_cmpstr(d->memballoon_model, ==, "none");
	g_assert_cmpuint(d->nserials, ==, 1);
	g_assert_cmpstr(d->serials[0].type, ==, "pty");
	g_assert_cmpstr(d->serials[0].target_type, ==, "isa-serial");
	g_assert_cmpint(d->serials[0].port, ==, 0);
	g_assert_null(d->metadata_xml);
	g_assert_true(domain_def_check_supported(d, NULL));
}

static void test_no_devices_machine_arch_defaults(void)
{
	g_autoptr(domain_def) d = parse_ok(
		"<domain type='kvm'><name>x</name><memory>65536</memory>"
		"<vcpu placement='static' current='2'>4</vcpu>"
		"<os><type>hvm</type><boot dev='cdrom'/><boot dev='hd'/></os></domain>", 0);
	g_assert_cmpint(d->virt, ==, DOMAIN_VIRT_KVM);
	g_assert_cmpstr(d->arch, ==, "x86_64");
	g_assert_cmpstr(d->machine, ==, "pc");
	g_assert_cmpuint(d->memory_kib, ==, 65536);
	g_assert_cmpuint(d->vcpus, ==, 4);
	g_assert_cmpuint(d->vcpus_current, ==, 2);
	g_assert_cmpstr(d->boot_devs[0], ==, "cdrom");
	g_assert_cmpstr(d->boot_devs[1], ==, "hd");
	g_assert_cmpuint(d->nserials, ==, 0);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "<vcpu placement='static' current='2'>4</vcpu>");
	assert_contains(x, "<type arch='x86_64' machine='pc'>hvm</type>");
	assert_valid(x);
	/* machine types are kept as given */
	g_autoptr(domain_def) q = parse_ok(
		"<domain type='kvm'><name>x</name><memory>65536</memory>"
		"<os><type machine='q35'>hvm</type></os></domain>", 0);
	g_assert_cmpstr(q->machine, ==, "q35");
}

/* --- memory units -------------------------------------------------------- */

static void test_memory_units(void)
{
	static const struct { const char *value, *unit; uint64_t kib; } cases[] = {
		{ "1", NULL, 1 }, { "1", "", 1 },
		{ "1024", "b", 1 }, { "1025", "bytes", 2 }, { "1", "byte", 1 }, { "1", "B", 1 },
		{ "1", "KB", 1 }, { "2000", "KB", 1954 }, { "1", "k", 1 }, { "1", "KiB", 1 },
		{ "1", "MB", 977 }, { "1", "M", 1024 }, { "1", "MiB", 1024 }, { "1", "mib", 1024 },
		{ "1", "GB", 976563 }, { "1", "G", 1048576 }, { "1", "GiB", 1048576 }, { "1", "gIb", 1048576 },
		{ "1", "TB", 976562500 }, { "1", "T", 1073741824 }, { "1", "TiB", 1073741824 },
		{ "1", "PB", 976562500000ULL }, { "1", "P", 1ULL << 40 }, { "1", "PiB", 1ULL << 40 },
		{ "1", "EB", 976562500000000ULL }, { "1", "E", 1ULL << 50 }, { "7", "EiB", 7ULL << 50 },
		{ "9223372036854775807", "b", 9007199254740992ULL },
		{ " 42 ", "KiB", 42 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *unit = cases[i].unit ? g_strdup_printf(" unit='%s'", cases[i].unit) : g_strdup("");
		g_autofree char *xml = g_strdup_printf(
			"<domain type='qemu'><name>m</name><memory%s>%s</memory><os><type>hvm</type></os></domain>",
			unit, cases[i].value);
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		if (d->memory_kib != cases[i].kib)
			g_error("%s %s: %" G_GUINT64_FORMAT " KiB, expected %" G_GUINT64_FORMAT,
				cases[i].value, cases[i].unit, d->memory_kib, cases[i].kib);
		/* always formatted in KiB */
		g_autofree char *x = domain_def_format(d, NULL, 0);
		g_autofree char *want = g_strdup_printf("<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>", cases[i].kib);
		assert_contains(x, want);
	}
}

static void test_memory_errors(void)
{
	static const struct { const char *value, *unit; int code; } cases[] = {
		{ "1", "XB", VIR_ERR_INVALID_ARG }, { "1", "KiBB", VIR_ERR_INVALID_ARG },
		{ "1", "q", VIR_ERR_INVALID_ARG },
		{ "8", "EiB", VIR_ERR_OVERFLOW }, { "9007199254740992", NULL, VIR_ERR_OVERFLOW },
		{ "9223372036854775808", "b", VIR_ERR_OVERFLOW },
		{ "lots", NULL, VIR_ERR_XML_ERROR }, { "-1", NULL, VIR_ERR_XML_ERROR },
		{ "99999999999999999999999", NULL, VIR_ERR_XML_ERROR }, { "0", NULL, VIR_ERR_XML_ERROR },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *unit = cases[i].unit ? g_strdup_printf(" unit='%s'", cases[i].unit) : g_strdup("");
		g_autofree char *xml = g_strdup_printf(
			"<domain type='qemu'><name>m</name><memory%s>%s</memory><os><type>hvm</type></os></domain>",
			unit, cases[i].value);
		g_test_message("memory %s %s", cases[i].value, cases[i].unit);
		parse_fails(xml, 0, cases[i].code, NULL);
	}
	parse_fails("<domain type='qemu'><name>m</name><memory>1</memory><os><type>hvm</type></os>"
		    "<currentMemory unit='EiB'>9</currentMemory></domain>", 0, VIR_ERR_OVERFLOW, "value too large");
	parse_fails("<domain type='qemu'><name>m</name><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_ERROR, "Memory size must be specified");
	parse_fails("<domain type='qemu'><name>m</name><memory unit='XB'>1</memory><os><type>hvm</type></os></domain>",
		    0, VIR_ERR_INVALID_ARG, "unknown suffix 'XB'");
}

static void test_current_memory(void)
{
	static const struct { const char *cur; uint64_t kib; } cases[] = {
		{ NULL, 4096 }, { "<currentMemory>0</currentMemory>", 4096 },
		{ "<currentMemory unit='MiB'>8</currentMemory>", 4096 },
		{ "<currentMemory unit='KiB'>2048</currentMemory>", 2048 },
		{ "<currentMemory unit='b'>1</currentMemory>", 1 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = g_strdup_printf(
			"<domain type='qemu'><name>m</name><memory unit='MiB'>4</memory>%s<os><type>hvm</type></os></domain>",
			cases[i].cur ? cases[i].cur : "");
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		g_assert_cmpuint(d->memory_kib, ==, 4096);
		g_assert_cmpuint(d->current_memory_kib, ==, cases[i].kib);
	}
}

/* --- document-level errors ----------------------------------------------- */

static void test_root_name_uuid_errors(void)
{
	parse_fails("<foo/>", 0, VIR_ERR_XML_ERROR, "XML error: expecting root element of 'domain', not 'foo'");
	parse_fails("<foo/>", DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_ERROR, "not 'foo'");
	parse_fails("<domain type='qemu'><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_NO_NAME, "missing name information");
	parse_fails("<domain type='qemu'><name></name><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_NO_NAME, NULL);
	parse_fails("<domain type='qemu'><name>a/b</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_ERROR, "cannot contain '/'");
	parse_fails("<domain type='qemu'><name>a\nb</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_DETAIL, "invalid char in name");
	parse_fails("<domain type='qemu'><name>a</name><uuid>not-a-uuid</uuid><memory>1</memory>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_INTERNAL_ERROR, "malformed uuid element");
	parse_fails("<domain type='qemu'><name>a</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db180</uuid>"
		    "<memory>1</memory><os><type>hvm</type></os></domain>", 0, VIR_ERR_INTERNAL_ERROR, NULL);
	parse_fails("<domain type='qemu'><name>a</name><title>x\ny</title><memory>1</memory>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_XML_ERROR, "title");
}

static void test_virt_type_arch_os(void)
{
	parse_fails("<domain><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_ERROR, "Missing required attribute 'type'");
	parse_fails("<domain type='foo'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_ERROR, "'foo'");
	/* known to libvirt, not to tandem's capabilities */
	parse_fails("<domain type='xen'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_INVALID_ARG, "could not find capabilities for ostype=hvm arch=x86_64 domaintype=xen");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory>"
		    "<os><type arch='aarch64'>hvm</type></os></domain>", 0, VIR_ERR_INVALID_ARG, "arch=aarch64");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory>"
		    "<os><type arch='z80'>hvm</type></os></domain>", 0, VIR_ERR_XML_ERROR, "Unknown architecture z80");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>xen</type></os></domain>", 0,
		    VIR_ERR_INVALID_ARG, "ostype=xen");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>dos</type></os></domain>", 0,
		    VIR_ERR_XML_ERROR, "dos");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory></domain>", 0,
		    VIR_ERR_XML_ERROR, "an os <type> must be specified");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type>"
		    "<boot dev='tape'/></os></domain>", 0, VIR_ERR_XML_ERROR, "tape");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><vcpu>0</vcpu>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_XML_ERROR, NULL);
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><vcpu current='3'>2</vcpu>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_XML_ERROR, NULL);
}

static void test_lifecycle(void)
{
	g_autoptr(domain_def) d = parse_ok(
		"<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
		"<on_poweroff>restart</on_poweroff><on_reboot>destroy</on_reboot>"
		"<on_crash>coredump-destroy</on_crash></domain>", 0);
	g_assert_cmpint(d->on_poweroff, ==, LIFECYCLE_RESTART);
	g_assert_cmpint(d->on_reboot, ==, LIFECYCLE_DESTROY);
	g_assert_cmpint(d->on_crash, ==, LIFECYCLE_COREDUMP_DESTROY);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(d, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	assert_contains(err->message, "on_crash");
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "<on_crash>coredump-destroy</on_crash>");
	assert_valid(x);
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type></os>"
		    "<on_poweroff>coredump-destroy</on_poweroff></domain>", 0, VIR_ERR_XML_ERROR, "on_poweroff");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type></os>"
		    "<on_reboot>explode</on_reboot></domain>", 0, VIR_ERR_XML_ERROR, "explode");
}

static void test_malformed(void)
{
	parse_fails("<domain type='qemu'><name>a</name", 0, VIR_ERR_XML_DETAIL, "(domain_definition):1:");
	parse_fails("", 0, VIR_ERR_XML_DETAIL, NULL);
	parse_fails("<domain type='qemu'>\n<name>a</nam>\n</domain>", 0, VIR_ERR_XML_DETAIL, "(domain_definition):2:");
	parse_fails("not xml at all", DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_DETAIL, NULL);
}

/* libxml2 must not print anything itself: errors travel as GErrors only. */
static void test_malformed_is_quiet(void)
{
	if (g_test_subprocess()) {
		g_autoptr(GError) err = NULL;
		g_assert_null(domain_def_parse("<domain type='qemu'><name>a</name", 0, &err));
		g_clear_error(&err);
		g_assert_null(domain_def_parse("<domain type='qemu'><bogus/></domain>", DOMAIN_DEF_PARSE_VALIDATE, &err));
		g_assert_error(err, CONF_ERROR, VIR_ERR_XML_INVALID_SCHEMA);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr_unmatched("?*");
	g_test_trap_assert_stdout_unmatched("*error*");
}

static void test_generated_uuid(void)
{
	const char *xml = "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>";
	g_autoptr(domain_def) a = parse_ok(xml, 0);
	g_autoptr(domain_def) b = parse_ok(xml, 0);
	g_assert_cmpmem(a->uuid, 16, a->uuid, 16);
	g_assert_true(memcmp(a->uuid, b->uuid, 16) != 0);
	g_assert_cmpint(a->uuid[6] >> 4, ==, 4);      /* version 4 */
	g_assert_cmpint(a->uuid[8] & 0xc0, ==, 0x80); /* RFC 4122 variant */
}

static void test_uuid_text(void)
{
	unsigned char u[16];
	g_assert_true(domain_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db1809", u));
	g_autofree char *s = domain_uuid_format(u);
	g_assert_cmpstr(s, ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
	unsigned char v[16];
	g_assert_true(domain_uuid_parse("  C7A5FDBDEDAF9455926AD65C16DB1809\n", v));
	g_assert_cmpmem(u, 16, v, 16);
	g_assert_false(domain_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db18", v));
	g_assert_false(domain_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db1809ff", v));
	g_assert_false(domain_uuid_parse("-c7a5fdbd-edaf-9455-926a-d65c16db1809", v));
	g_assert_false(domain_uuid_parse("g7a5fdbd-edaf-9455-926a-d65c16db1809", v));
	g_assert_false(domain_uuid_parse(NULL, v));
}

/* --- schema validation ---------------------------------------------------- */

static void test_validate_flag(void)
{
	g_autofree char *xml = g_strdup_printf(MINIMAL_HEAD "  <bogus/>\n  <devices><frob/><serial type='pty'/></devices>\n</domain>\n");
	/* without VALIDATE unknown elements are dropped, as libvirt does */
	g_autoptr(domain_def) d = parse_ok(xml, 0);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	g_assert_null(strstr(x, "bogus"));
	g_assert_null(strstr(x, "frob"));
	assert_valid(x);
	parse_fails(xml, DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_INVALID_SCHEMA,
		    "XML document failed to validate against schema: Unable to validate doc against "
		    DOMAIN_DEFAULT_SCHEMA);
	/* a schema type error */
	parse_fails("<domain type='qemu'><name>a</name><memory>lots</memory><os><type>hvm</type></os></domain>",
		    DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_INVALID_SCHEMA, NULL);
	/* valid documents pass */
	g_autoptr(domain_def) ok = parse_ok(minimal_xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpstr(ok->name, ==, "t1");
}

/* --- the stub console ----------------------------------------------------- */

static void test_stub_console(void)
{
	const char *serial_only = "<serial type='pty'><target port='0'/></serial>";
	const char *console_only = "<console type='pty'/>";
	const char *both = "<serial type='pty'/><console type='pty'><target type='serial' port='0'/></console>";
	const char *variants[] = { serial_only, console_only, both };
	g_autofree char *first = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(variants); i++) {
		g_autofree char *xml = with_devices(variants[i]);
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		/* one device */
		g_assert_cmpuint(d->nserials, ==, 1);
		g_assert_cmpuint(d->nconsoles, ==, 0);
		g_assert_cmpstr(d->serials[0].type, ==, "pty");
		g_assert_true(domain_def_check_supported(d, NULL));
		g_autofree char *x = domain_def_format(d, NULL, 0);
		assert_contains(x,
			"    <serial type='pty'>\n"
			"      <target type='isa-serial' port='0'>\n"
			"        <model name='isa-serial'/>\n"
			"      </target>\n"
			"    </serial>\n"
			"    <console type='pty'>\n"
			"      <target type='serial' port='0'/>\n"
			"    </console>\n");
		assert_valid(x);
		/* the same XML whichever way it was written */
		if (!first)
			first = g_strdup(x);
		else
			g_assert_cmpstr(x, ==, first);
		g_autoptr(domain_def) again = parse_ok(x, 0);
		g_assert_cmpuint(again->nserials, ==, 1);
		g_assert_true(domain_def_equal(d, again));
	}
	/* a file console alone becomes the file serial */
	g_autofree char *fx = with_devices("<console type='file'><source path='/tmp/con.log'/></console>");
	g_autoptr(domain_def) f = parse_ok(fx, 0);
	g_assert_cmpuint(f->nserials, ==, 1);
	g_assert_cmpstr(f->serials[0].type, ==, "file");
	g_assert_cmpstr(f->serials[0].source_path, ==, "/tmp/con.log");
	g_autofree char *ff = domain_def_format(f, NULL, 0);
	assert_contains(ff, "<serial type='file'>\n      <source path='/tmp/con.log'/>");
	assert_contains(ff, "<console type='file'>\n      <source path='/tmp/con.log'/>\n      <target type='serial' port='0'/>");
	assert_valid(ff);
	/* a virtio console is a different device: kept, refused at define */
	g_autofree char *vx = with_devices("<console type='pty'><target type='virtio'/></console>");
	g_autoptr(domain_def) v = parse_ok(vx, 0);
	g_assert_cmpuint(v->nserials, ==, 0);
	g_assert_cmpuint(v->nconsoles, ==, 1);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(v, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	assert_contains(err->message, "console");
	g_autofree char *vf = domain_def_format(v, NULL, 0);
	assert_contains(vf, "<target type='virtio' port='0'/>");
	g_assert_null(strstr(vf, "<serial"));
	assert_valid(vf);
}

static void test_live_xml(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	struct domain_live live = { .id = 7, .serial_pty = "/dev/pts/3" };
	g_autofree char *x = domain_def_format(d, &live, 0);
	assert_contains(x, "<domain type='qemu' id='7'>\n");
	assert_contains(x,
		"    <serial type='pty'>\n"
		"      <source path='/dev/pts/3'/>\n"
		"      <target type='isa-serial' port='0'>\n"
		"        <model name='isa-serial'/>\n"
		"      </target>\n"
		"      <alias name='serial0'/>\n"
		"    </serial>\n"
		"    <console type='pty' tty='/dev/pts/3'>\n"
		"      <source path='/dev/pts/3'/>\n"
		"      <target type='serial' port='0'/>\n"
		"      <alias name='serial0'/>\n"
		"    </console>\n");
	assert_valid(x);
	/* the live XML parses back to the same (inactive) definition */
	g_autoptr(domain_def) back = parse_ok(x, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_true(domain_def_equal(d, back));
	/* INACTIVE wins over live state */
	g_autofree char *i = domain_def_format(d, &live, DOMAIN_XML_INACTIVE | DOMAIN_XML_SECURE);
	g_autofree char *n = domain_def_format(d, NULL, 0);
	g_assert_cmpstr(i, ==, n);
	g_assert_null(strstr(i, "id="));
	g_assert_null(strstr(i, "/dev/pts"));
	g_assert_null(strstr(i, "alias"));
	/* a pty path given in inactive XML is run-time state: dropped */
	g_autofree char *px = with_devices("<serial type='pty'><source path='/dev/pts/9'/></serial>");
	g_autoptr(domain_def) p = parse_ok(px, 0);
	g_autofree char *pf = domain_def_format(p, NULL, 0);
	g_assert_null(strstr(pf, "/dev/pts/9"));
	/* live without a pty yet */
	struct domain_live nopty = { .id = 1 };
	g_autofree char *np = domain_def_format(d, &nopty, 0);
	assert_contains(np, "<console type='pty'>");
	assert_valid(np);
}

/* --- devices: kept, and refused at define ------------------------------- */

static void test_unsupported_devices(void)
{
	static const struct { const char *xml, *name; } cases[] = {
		{ "<disk type='file' device='disk'><source file='/x.img'/><target dev='vda' bus='virtio'/></disk>", "<disk>" },
		{ "<disk type='network' device='disk'><source protocol='nbd' name='foo'><host name='h' port='10809'/></source>"
		  "<target dev='vda' bus='virtio'/></disk>", "<disk type='network'>" },
		{ "<interface type='user'><model type='virtio'/></interface>", "<interface>" },
		{ "<interface type='direct'><source dev='eth0' mode='bridge'/></interface>", "<interface type='direct'>" },
		{ "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>", "<rng>" },
		{ "<graphics type='vnc' port='-1' autoport='yes'/>", "<graphics>" },
		{ "<video><model type='vga' vram='16384' heads='1'/></video>", "<video>" },
		{ "<sound model='ich6'/>", "<sound>" },
		{ "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='0' slot='3' function='0'/></source></hostdev>", "<hostdev>" },
		{ "<filesystem type='mount' accessmode='passthrough'><source dir='/srv'/><target dir='srv'/></filesystem>", "<filesystem>" },
		{ "<watchdog model='i6300esb' action='reset'/>", "<watchdog>" },
		{ "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>", "<channel>" },
		{ "<tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm>", "<tpm>" },
		{ "<serial type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/><protocol type='raw'/></serial>", "type='tcp'" },
		{ "<serial type='pty'/><serial type='pty'/>", "one <serial>" },
		{ "<serial type='pty'><target port='1'/></serial>", "port 1" },
		{ "<input type='tablet' bus='usb'/>", "tablet" },
		{ "<controller type='usb' index='0' model='qemu-xhci'/>", "qemu-xhci" },
		{ "<controller type='ide' index='0'/>", "ide" },
		{ "<memballoon model='virtio'/>", "memballoon model='virtio'" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = with_devices(cases[i].xml);
		g_test_message("device %s", cases[i].xml);
		g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
		g_autoptr(GError) err = NULL;
		g_assert_false(domain_def_check_supported(d, &err));
		g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
		g_assert_true(g_str_has_prefix(err->message, "unsupported configuration: "));
		assert_contains(err->message, cases[i].name);
		/* kept: formatted back, valid, and stable */
		g_autofree char *x = domain_def_format(d, NULL, 0);
		assert_valid(x);
		g_autoptr(domain_def) again = parse_ok(x, 0);
		g_autofree char *x2 = domain_def_format(again, NULL, 0);
		g_assert_cmpstr(x, ==, x2);
		struct machine_config cfg;
		machine_config_init(&cfg);
		g_clear_error(&err);
		g_assert_false(domain_def_to_config(d, &cfg, &err));
		g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
		machine_config_clear(&cfg);
	}
	g_autofree char *rng = with_devices("<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>");
	g_autoptr(domain_def) r = parse_ok(rng, 0);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(r, &err));
	g_assert_cmpstr(err->message, ==, "unsupported configuration: tandem does not support <rng> devices yet");
}

static void test_supported_devices(void)
{
	g_autofree char *xml = with_devices(
		"<emulator>/opt/tandem/bin/tandem</emulator>"
		"<controller type='pci' index='0' model='pci-root'/>"
		"<controller type='usb' model='none'/>"
		"<serial type='file'><source path='/var/log/t1.serial'/></serial>"
		"<input type='keyboard' bus='ps2'/><input type='mouse'/>"
		"<memballoon model='none'/>");
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_check_supported(d, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(d->emulator, ==, "/opt/tandem/bin/tandem");
	g_assert_cmpuint(d->ncontrollers, ==, 2);
	g_assert_cmpuint(d->ninputs, ==, 2);
	g_assert_cmpstr(d->inputs[1].bus, ==, "ps2");
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "<emulator>/opt/tandem/bin/tandem</emulator>");
	assert_contains(x, "<controller type='usb' index='0' model='none'/>");
	assert_contains(x, "<input type='mouse' bus='ps2'/>");
	assert_contains(x, "<memballoon model='none'/>");
	assert_valid(x);
	/* kernel-less, firmware, localtime, vcpu hotplug, too many vcpus: refused */
	static const struct { const char *xml, *part; } refused[] = {
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type></os></domain>", "<kernel>" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type>"
		  "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader><kernel>/k</kernel></os></domain>", "<loader>" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
		  "<clock offset='localtime'/></domain>", "localtime" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><vcpu current='1'>2</vcpu>"
		  "<os><type>hvm</type><kernel>/k</kernel></os></domain>", "hotplug" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><vcpu>65</vcpu>"
		  "<os><type>hvm</type><kernel>/k</kernel></os></domain>", "64" },
		{ "<domain type='kvm'><name>a</name><maxMemory slots='4' unit='GiB'>8</maxMemory><memory>65536</memory>"
		  "<os><type>hvm</type><kernel>/k</kernel></os></domain>", "maxMemory" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autoptr(domain_def) r = parse_ok(refused[i].xml, DOMAIN_DEF_PARSE_VALIDATE);
		g_autoptr(GError) e = NULL;
		g_assert_false(domain_def_check_supported(r, &e));
		g_assert_error(e, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
		assert_contains(e->message, refused[i].part);
		g_autofree char *x2 = domain_def_format(r, NULL, 0);
		assert_valid(x2);
	}
}

static void test_features_timers_memory_limits(void)
{
	parse_fails("<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type></os>"
		    "<features><acpi/><warp-drive/></features></domain>", 0, VIR_ERR_XML_ERROR,
		    "unexpected feature 'warp-drive'");
	parse_fails("<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type></os>"
		    "<clock offset='utc'><timer name='sundial'/></clock></domain>", 0, VIR_ERR_INTERNAL_ERROR,
		    "unknown timer name 'sundial'");
	static const struct { const char *mem; bool ok; } mems[] = {
		{ "<memory unit='KiB'>2047</memory>", false }, { "<memory unit='MiB'>2</memory>", true },
		{ "<memory unit='TiB'>1</memory>", true }, { "<memory unit='KiB'>1073741825</memory>", false },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(mems); i++) {
		g_autofree char *xml = g_strdup_printf(
			"<domain type='kvm'><name>a</name>%s<os><type>hvm</type><kernel>/k</kernel></os></domain>",
			mems[i].mem);
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		g_autoptr(GError) err = NULL;
		g_assert_cmpint(domain_def_check_supported(d, &err), ==, mems[i].ok);
		if (!mems[i].ok) {
			g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
			assert_contains(err->message, "2 MiB to 1 TiB");
		}
	}
	/* machine memory is whole MiB, rounded up */
	g_autoptr(domain_def) r = parse_ok("<domain type='kvm'><name>a</name><memory unit='KiB'>4097</memory>"
					   "<os><type>hvm</type><kernel>/k</kernel></os></domain>", 0);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(r, &cfg, NULL));
	g_assert_cmpuint(cfg.memory, ==, 5ULL << 20);
	machine_config_clear(&cfg);
}

/* Kept elements are formatted as written; one that would make our XML
 * fail libvirt's schema is refused at define (92), unless the schema is
 * not installed. */
static void test_schema_safety_net(void)
{
	const char *xml = "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
			  "<features><acpi/><hyperv mode='custom' bogus='1'><relaxed state='on'/></hyperv></features></domain>";
	g_autoptr(domain_def) d = parse_ok(xml, 0);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(d, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_XML_INVALID_SCHEMA);
	parse_fails(xml, DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_INVALID_SCHEMA, NULL);
	g_setenv("TANDEM_DOMAIN_RNG", "/nonexistent/domain.rng", TRUE);
	g_assert_true(domain_def_check_supported(d, NULL));
	g_unsetenv("TANDEM_DOMAIN_RNG");
	g_assert_false(domain_def_check_supported(d, NULL));
}

static void test_device_parse_errors(void)
{
	static const struct { const char *xml; int code; const char *part; } cases[] = {
		{ "<disk type='file'><source file='/x'/></disk>", VIR_ERR_NO_TARGET, "/x" },
		{ "<disk type='file'><target dev='vda' bus='foo'/></disk>", VIR_ERR_XML_ERROR, "'foo'" },
		{ "<disk type='floppyish'><target dev='vda'/></disk>", VIR_ERR_XML_ERROR, "floppyish" },
		{ "<interface><model type='virtio'/></interface>", VIR_ERR_XML_ERROR, "'type'" },
		{ "<interface type='user'><mac address='52:54:00:zz:00:01'/></interface>", VIR_ERR_XML_ERROR, "mac" },
		{ "<interface type='user'><mac address='01:54:00:00:00:01'/></interface>", VIR_ERR_XML_ERROR, "multicast" },
		{ "<interface type='network'/>", VIR_ERR_XML_ERROR, "network" },
		{ "<serial type='weird'/>", VIR_ERR_XML_ERROR, "weird" },
		{ "<serial type='pty'><target type='martian'/></serial>", VIR_ERR_XML_ERROR, "martian" },
		{ "<memballoon/>", VIR_ERR_XML_ERROR, "memory balloon" },
		{ "<memballoon model='huge'/>", VIR_ERR_XML_ERROR, "huge" },
		{ "<input type='joystick'/>", VIR_ERR_XML_ERROR, "joystick" },
		{ "<rng model='virtio'/>", VIR_ERR_XML_ERROR, "backend" },
		{ "<disk type='file'><target dev='vda'/><boot order='1'/></disk>", VIR_ERR_XML_ERROR, "per-device boot" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = with_devices(cases[i].xml);
		/* MINIMAL_HEAD has no <boot>, so add one for the per-device case */
		if (strstr(cases[i].xml, "<boot order")) {
			g_autofree char *b = g_strdup(xml);
			g_free(xml);
			char *p = strstr(b, "</os>");
			xml = g_strdup_printf("%.*s<boot dev='hd'/>%s", (int)(p - b), b, p);
		}
		g_test_message("device %s", cases[i].xml);
		parse_fails(xml, 0, cases[i].code, cases[i].part);
	}
}

static void test_disk_net_details(void)
{
	g_autofree char *xml = with_devices(
		"<disk type='block' device='disk'><source dev='/dev/sdb'/><target dev='vdb'/><serial>S1</serial>"
		"<readonly/><shareable/><boot order='2'/></disk>"
		"<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>"
		"<disk type='file' device='disk'><source file='/a.img'/><target dev='sda'/></disk>"
		"<interface type='bridge'><source bridge='br0'/><mac address='00:16:3E:AA:bb:cc'/>"
		"<model type='e1000'/><boot order='1'/></interface>"
		"<interface type='user'/>");
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpuint(d->ndisks, ==, 3);
	g_assert_cmpstr(d->disks[0].type, ==, "block");
	g_assert_cmpstr(d->disks[0].source, ==, "/dev/sdb");
	g_assert_cmpstr(d->disks[0].target_bus, ==, "virtio");
	g_assert_cmpstr(d->disks[0].serial, ==, "S1");
	g_assert_true(d->disks[0].readonly && d->disks[0].shareable);
	g_assert_cmpuint(d->disks[0].boot_order, ==, 2);
	g_assert_null(d->disks[0].driver_type);
	g_assert_cmpstr(d->disks[1].device, ==, "cdrom");
	g_assert_null(d->disks[1].source);
	g_assert_cmpstr(d->disks[2].target_bus, ==, "scsi");
	g_assert_cmpuint(d->nnets, ==, 2);
	g_assert_cmpstr(d->nets[0].mac, ==, "00:16:3e:aa:bb:cc");
	g_assert_cmpstr(d->nets[0].source, ==, "br0");
	g_assert_cmpstr(d->nets[0].model, ==, "e1000");
	g_assert_true(g_str_has_prefix(d->nets[1].mac, "52:54:00:"));
	/* per-device boot order: no default <boot dev='hd'/> */
	g_assert_null(d->boot_devs[0]);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	g_assert_null(strstr(x, "<boot dev="));
	assert_contains(x, "<source dev='/dev/sdb'/>");
	assert_valid(x);
	g_autoptr(domain_def) again = parse_ok(x, 0);
	g_assert_true(domain_def_equal(d, again));
	g_assert_cmpstr(again->nets[1].mac, ==, d->nets[1].mac);
}

/* --- metadata, raw elements, round trips ------------------------------- */

static void test_metadata_verbatim(void)
{
	const char *xml =
		"<domain type='kvm' xmlns:top='urn:top'>\n"
		"  <name>m</name>\n"
		"  <title>A &amp; B</title>\n"
		"  <description>multi\nline &lt;desc&gt;</description>\n"
		"  <metadata>\n"
		"    <app1:foo xmlns:app1=\"http://app1.org/app1/\">fooish</app1:foo>\n"
		"    <app2:bar xmlns:app2=\"http://app2.org/app2/\" a=\"b\"><app2:x>y</app2:x><app2:empty/></app2:bar>\n"
		"    <top:thing>declared on the root</top:thing>\n"
		"  </metadata>\n"
		"  <memory>65536</memory>\n"
		"  <os><type>hvm</type><kernel>/k</kernel></os>\n"
		"</domain>\n";
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_nonnull(d->metadata_xml);
	assert_contains(d->metadata_xml, "<app1:foo xmlns:app1=\"http://app1.org/app1/\">fooish</app1:foo>");
	assert_contains(d->metadata_xml, "<app2:x>y</app2:x>");
	assert_contains(d->metadata_xml, "xmlns:top=\"urn:top\"");
	g_assert_cmpstr(d->title, ==, "A & B");
	g_assert_cmpstr(d->description, ==, "multi\nline <desc>");
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "  <title>A &amp; B</title>\n");
	assert_contains(x, "  <metadata");
	assert_contains(x, "    <app1:foo xmlns:app1=\"http://app1.org/app1/\">fooish</app1:foo>\n");
	assert_contains(x, "      <app2:x>y</app2:x>\n");
	assert_valid(x);
	g_autoptr(domain_def) again = parse_ok(x, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpstr(again->metadata_xml, ==, d->metadata_xml);
	g_assert_cmpstr(again->description, ==, d->description);
	g_autofree char *x2 = domain_def_format(again, NULL, 0);
	g_assert_cmpstr(x, ==, x2);
}

static const char rich_xml[] =
	"<domain type='kvm'>\n"
	"  <name>rich</name>\n"
	"  <uuid>0b9c4e27-8a13-4d6f-b2e5-7f1a3c5d9e22</uuid>\n"
	"  <title>Rich</title>\n"
	"  <description>Everything at once</description>\n"
	"  <metadata><x:y xmlns:x='urn:x'>z</x:y></metadata>\n"
	"  <memory unit='GiB'>2</memory>\n"
	"  <currentMemory unit='MiB'>1536</currentMemory>\n"
	"  <vcpu placement='static' cpuset='0-3'>4</vcpu>\n"
	"  <os>\n"
	"    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n"
	"    <kernel>/k</kernel><initrd>/i</initrd><cmdline>console=ttyS0 a=&quot;b c&quot;</cmdline>\n"
	"    <boot dev='network'/><boot dev='hd'/>\n"
	"  </os>\n"
	"  <features><acpi/><apic/><pae/><vmport state='off'/><hyperv mode='custom'><relaxed state='on'/></hyperv></features>\n"
	"  <cpu mode='host-passthrough' check='none'/>\n"
	"  <clock offset='utc'>\n"
	"    <timer name='rtc' tickpolicy='catchup'/>\n"
	"    <timer name='pit' tickpolicy='delay'/>\n"
	"    <timer name='hpet' present='no'/>\n"
	"  </clock>\n"
	"  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>restart</on_crash>\n"
	"  <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='no'/></pm>\n"
	"  <devices>\n"
	"    <emulator>/usr/bin/tandem</emulator>\n"
	"    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/a.qcow2'/>"
	"<target dev='vda' bus='virtio'/></disk>\n"
	"    <disk type='file' device='cdrom'><source file='/img/b.iso'/><target dev='sda' bus='sata'/><readonly/></disk>\n"
	"    <controller type='pci' index='0' model='pci-root'/>\n"
	"    <interface type='network'><source network='default'/><mac address='52:54:00:01:02:03'/>"
	"<model type='virtio'/></interface>\n"
	"    <interface type='ethernet'><target dev='tap7'/><mac address='52:54:00:01:02:04'/></interface>\n"
	"    <serial type='pty'/>\n"
	"    <console type='pty'><target type='serial' port='0'/></console>\n"
	"    <console type='pty'><target type='virtio' port='1'/></console>\n"
	"    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n"
	"    <input type='tablet' bus='usb'/>\n"
	"    <graphics type='vnc' port='-1' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>\n"
	"    <video><model type='vga' vram='16384' heads='1' primary='yes'/></video>\n"
	"    <memballoon model='virtio'/>\n"
	"    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n"
	"    <panic model='isa'/>\n"
	"  </devices>\n"
	"</domain>\n";

static void test_round_trip(void)
{
	g_autoptr(domain_def) d = parse_ok(rich_xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpuint(d->memory_kib, ==, 2 * 1024 * 1024);
	g_assert_cmpuint(d->current_memory_kib, ==, 1536 * 1024);
	g_assert_cmpstr(d->vcpu_cpuset, ==, "0-3");
	g_assert_cmpstr(d->machine, ==, "pc-i440fx-7.2");
	g_assert_cmpstr(d->cmdline, ==, "console=ttyS0 a=\"b c\"");
	g_assert_cmpstr(d->boot_devs[0], ==, "network");
	g_assert_true(d->pae);
	g_assert_cmpuint(d->nfeatures, ==, 2);
	g_assert_cmpuint(d->ntimers, ==, 3);
	g_assert_nonnull(d->cpu);
	g_assert_nonnull(d->pm);
	g_assert_cmpint(d->on_crash, ==, LIFECYCLE_RESTART);
	g_assert_cmpuint(d->ndisks, ==, 2);
	g_assert_cmpuint(d->nnets, ==, 2);
	g_assert_cmpuint(d->nserials, ==, 1);
	g_assert_cmpuint(d->nconsoles, ==, 1);
	g_assert_cmpuint(d->nrngs, ==, 1);
	g_assert_cmpstr(d->rngs[0].backend, ==, "/dev/urandom");
	g_assert_cmpstr(d->memballoon_model, ==, "virtio");
	/* graphics brings libvirt's implicit PS/2 mouse and keyboard */
	g_assert_cmpuint(d->ninputs, ==, 3);
	g_assert_cmpstr(d->inputs[1].type, ==, "mouse");
	g_assert_cmpstr(d->inputs[2].type, ==, "keyboard");
	g_assert_cmpuint(d->nother_devices, ==, 4); /* channel, graphics, video, panic */

	g_autofree char *x1 = domain_def_format(d, NULL, 0);
	assert_valid(x1);
	g_autoptr(domain_def) d2 = parse_ok(x1, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_true(domain_def_equal(d, d2));
	g_autofree char *x2 = domain_def_format(d2, NULL, 0);
	g_assert_cmpstr(x1, ==, x2);
	g_assert_cmpuint(d2->ninputs, ==, 3); /* not added twice */
	g_assert_cmpstr(d2->cmdline, ==, d->cmdline);
	g_assert_cmpmem(d2->uuid, 16, d->uuid, 16);

	struct domain_live live = { .id = 42, .serial_pty = "/dev/pts/12" };
	g_autofree char *lx = domain_def_format(d, &live, DOMAIN_XML_SECURE);
	assert_valid(lx);
	assert_contains(lx, "<alias name='console1'/>");

	/* copy: equal and independent */
	g_autoptr(domain_def) c = domain_def_copy(d);
	g_assert_true(domain_def_equal(d, c));
	g_free(c->name);
	c->name = g_strdup("other");
	g_assert_false(domain_def_equal(d, c));
	g_assert_cmpstr(d->name, ==, "rich");

	/* libvirt's element order */
	const char *order[] = { "<name>", "<uuid>", "<title>", "<description>", "<metadata>", "<memory",
				"<currentMemory", "<vcpu", "<os>", "<features>", "<cpu", "<clock", "<on_poweroff>",
				"<on_reboot>", "<on_crash>", "<pm>", "<devices>", "<emulator>", "<disk", "<controller",
				"<interface", "<serial", "<console", "<channel", "<input", "<graphics", "<video",
				"<memballoon", "<rng", "<panic", "</devices>" };
	const char *prev = x1;
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
		const char *p = strstr(x1, order[i]);
		if (!p || p < prev)
			g_error("%s out of order in\n%s", order[i], x1);
		prev = p;
	}
}

/* What virt-install 4.1 sends for a non-qemu URI (spec §4.3). */
static void test_virt_install_xml(void)
{
	const char *xml =
		"<domain type=\"kvm\">\n"
		"  <name>demo</name>\n"
		"  <uuid>8b6a3a38-2f36-4a7e-9d0b-0a3c1b2d4e5f</uuid>\n"
		"  <memory>1048576</memory>\n"
		"  <currentMemory>1048576</currentMemory>\n"
		"  <vcpu>2</vcpu>\n"
		"  <os>\n"
		"    <type arch=\"x86_64\" machine=\"pc\">hvm</type>\n"
		"    <boot dev=\"hd\"/>\n"
		"  </os>\n"
		"  <features>\n"
		"    <acpi/>\n"
		"    <apic/>\n"
		"  </features>\n"
		"  <clock offset=\"utc\"/>\n"
		"  <devices>\n"
		"    <emulator>/usr/libexec/myvmm</emulator>\n"
		"    <disk type=\"file\" device=\"disk\">\n"
		"      <source file=\"/var/lib/libvirt/images/demo.img\"/>\n"
		"      <target dev=\"hda\" bus=\"ide\"/>\n"
		"    </disk>\n"
		"    <interface type=\"bridge\">\n"
		"      <source bridge=\"br0\"/>\n"
		"      <mac address=\"00:16:3e:11:22:33\"/>\n"
		"      <model type=\"e1000\"/>\n"
		"    </interface>\n"
		"    <console type=\"pty\"/>\n"
		"    <input type=\"tablet\" bus=\"usb\"/>\n"
		"    <graphics type=\"vnc\" port=\"-1\"/>\n"
		"    <video>\n"
		"      <model type=\"vga\"/>\n"
		"    </video>\n"
		"  </devices>\n"
		"</domain>\n";
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpuint(d->memory_kib, ==, 1048576);
	g_assert_cmpuint(d->nserials, ==, 1);
	g_assert_null(d->disks[0].driver_type);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(d, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_valid(x);
}

/* --- machine configuration and argv ---------------------------------- */

static void test_to_config(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_to_config(d, &cfg, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(cfg.name, ==, "t1");
	g_assert_cmpstr(cfg.uuid, ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
	g_assert_cmpstr(cfg.kernel, ==, "/boot/vmlinuz");
	g_assert_cmpstr(cfg.initrd, ==, "/boot/initrd.img");
	g_assert_cmpstr(cfg.cmdline, ==, "console=ttyS0 quiet");
	g_assert_cmpuint(cfg.memory, ==, 256ULL << 20);
	g_assert_cmpuint(cfg.cpus, ==, 1);
	g_assert_cmpint(cfg.accel, ==, ACCEL_EMU);
	g_assert_cmpint(cfg.serial, ==, SERIAL_PTY);
	g_assert_true(cfg.acpi);
	g_assert_false(cfg.no_reboot);
	machine_config_clear(&cfg);

	g_autoptr(domain_def) k = parse_ok(
		"<domain type='kvm'><name>k</name><memory unit='GiB'>3</memory><vcpu>4</vcpu>"
		"<os><type>hvm</type><kernel>/k</kernel></os><on_reboot>destroy</on_reboot>"
		"<devices><serial type='file'><source path='/tmp/k.log'/></serial></devices></domain>", 0);
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(k, &cfg, NULL));
	g_assert_cmpint(cfg.accel, ==, ACCEL_KVM);
	g_assert_cmpuint(cfg.memory, ==, 3ULL << 30);
	g_assert_cmpuint(cfg.cpus, ==, 4);
	g_assert_null(cfg.initrd);
	g_assert_null(cfg.cmdline);
	g_assert_false(cfg.acpi); /* no <acpi/> */
	g_assert_true(cfg.no_reboot);
	g_assert_cmpint(cfg.serial, ==, SERIAL_FILE);
	g_assert_cmpstr(cfg.serial_path, ==, "/tmp/k.log");
	machine_config_clear(&cfg);

	g_autoptr(domain_def) n = parse_ok(
		"<domain type='qemu'><name>n</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os></domain>", 0);
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(n, &cfg, NULL));
	g_assert_cmpint(cfg.serial, ==, SERIAL_NONE);
	g_assert_cmpuint(cfg.memory, ==, 64ULL << 20);
	machine_config_clear(&cfg);
}

static void argv_round_trip(const struct machine_config *in)
{
	g_auto(GStrv) argv = machine_config_to_argv(in, "/opt/tandem");
	g_assert_cmpstr(argv[0], ==, "/opt/tandem");
	g_assert_cmpstr(argv[1], ==, "run");
	g_autofree char *joined = g_strjoinv(" ", argv);
	g_test_message("argv: %s", joined);
	struct machine_config out;
	machine_config_init(&out);
	g_autoptr(GError) err = NULL;
	/* getopt may permute argv: parse a copy */
	g_auto(GStrv) copy = g_strdupv(argv);
	int argc = (int)g_strv_length(copy);
	g_assert_true(cli_parse_run(argc - 1, copy + 1, &out, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(out.name, ==, in->name);
	g_assert_cmpstr(out.kernel, ==, in->kernel);
	g_assert_cmpstr(out.initrd, ==, in->initrd);
	g_assert_cmpstr(out.cmdline, ==, in->cmdline);
	g_assert_cmpuint(out.memory, ==, in->memory);
	g_assert_cmpuint(out.cpus, ==, in->cpus);
	g_assert_cmpint(out.accel, ==, in->accel);
	g_assert_cmpint(out.serial, ==, in->serial);
	if (in->serial == SERIAL_FILE)
		g_assert_cmpstr(out.serial_path, ==, in->serial_path);
	g_assert_cmpint(out.clock, ==, in->clock);
	g_assert_cmpint(out.decompress, ==, in->decompress);
	g_assert_cmpint(out.acpi, ==, in->acpi);
	g_assert_cmpint(out.no_reboot, ==, in->no_reboot);
	g_assert_cmpstr(out.control_socket, ==, in->control_socket);
	g_assert_cmpstr(out.pidfile, ==, in->pidfile);
	g_assert_cmpint(out.start_paused, ==, in->start_paused);
	g_assert_cmpint(out.stats, ==, in->stats);
	machine_config_clear(&out);
}

static void test_argv(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(d, &cfg, NULL));
	argv_round_trip(&cfg);
	g_auto(GStrv) argv = machine_config_to_argv(&cfg, NULL);
	g_autofree char *joined = g_strjoinv(" ", argv);
	g_assert_cmpstr(joined, ==,
			DOMAIN_DEFAULT_EMULATOR " run --name t1 --kernel /boot/vmlinuz --initrd /boot/initrd.img "
			"--append console=ttyS0 quiet --memory 262144K --cpus 1 --accel emu --serial pty");

	/* everything else the CLI can express */
	cfg.accel = ACCEL_KVM;
	cfg.serial = SERIAL_FILE;
	g_free(cfg.serial_path);
	cfg.serial_path = g_strdup("/var/log/t1 serial.log");
	cfg.clock = GUEST_CLOCK_DETERMINISTIC;
	cfg.decompress = DECOMPRESS_HOST;
	cfg.acpi = false;
	cfg.no_reboot = true;
	cfg.control_socket = g_strdup("/run/tandem/t1.ctl");
	cfg.pidfile = g_strdup("/run/tandem/t1.pid");
	cfg.start_paused = true;
	cfg.stats = true;
	cfg.memory = (5ULL << 20) + 512;
	cfg.cpus = 8;
	argv_round_trip(&cfg);
	cfg.serial = SERIAL_NONE;
	cfg.decompress = DECOMPRESS_GUEST;
	g_clear_pointer(&cfg.initrd, g_free);
	g_clear_pointer(&cfg.cmdline, g_free);
	argv_round_trip(&cfg);
	cfg.serial = SERIAL_STDIO;
	argv_round_trip(&cfg);
	machine_config_clear(&cfg);
}

/* --- examples/xml -------------------------------------------------------- */

static struct domain_def *parse_example(const char *name)
{
	g_autofree char *path = g_build_filename(TANDEM_SRCDIR, "examples", "xml", name, NULL);
	g_autoptr(GError) err = NULL;
	struct domain_def *d = domain_def_parse_file(path, DOMAIN_DEF_PARSE_VALIDATE, &err);
	g_assert_no_error(err);
	g_assert_nonnull(d);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_valid(x);
	struct domain_live live = { .id = 3, .serial_pty = "/dev/pts/0" };
	g_autofree char *lx = domain_def_format(d, &live, 0);
	assert_valid(lx);
	return d;
}

static void test_examples(void)
{
	g_autoptr(domain_def) emu = parse_example("minimal-emu.xml");
	g_autoptr(domain_def) kvm = parse_example("minimal-kvm.xml");
	g_autoptr(domain_def) dn = parse_example("disk-net.xml");
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_to_config(emu, &cfg, &err));
	g_assert_cmpint(cfg.accel, ==, ACCEL_EMU);
	g_assert_cmpint(cfg.serial, ==, SERIAL_PTY);
	g_assert_cmpstr(cfg.cmdline, ==, "console=ttyS0");
	g_assert_cmpuint(cfg.memory, ==, 512ULL << 20);
	machine_config_clear(&cfg);
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(kvm, &cfg, &err));
	g_assert_cmpint(cfg.accel, ==, ACCEL_KVM);
	machine_config_clear(&cfg);
	g_assert_cmpuint(dn->ndisks, ==, 1);
	g_assert_cmpstr(dn->disks[0].driver_type, ==, "qcow2");
	g_assert_cmpuint(dn->nnets, ==, 1);
	g_assert_cmpstr(dn->nets[0].type, ==, "user");
	g_assert_false(domain_def_check_supported(dn, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	g_assert_cmpstr(err->message, ==, "unsupported configuration: tandem does not support <disk> devices yet");
	g_clear_error(&err);
	g_assert_null(domain_def_parse_file("/nonexistent/x.xml", 0, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_INTERNAL_ERROR);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/conf/parse/minimal-defaults", test_minimal_defaults);
	g_test_add_func("/conf/parse/defaults-without-devices", test_no_devices_machine_arch_defaults);
	g_test_add_func("/conf/parse/memory-units", test_memory_units);
	g_test_add_func("/conf/parse/memory-errors", test_memory_errors);
	g_test_add_func("/conf/parse/current-memory", test_current_memory);
	g_test_add_func("/conf/parse/root-name-uuid-errors", test_root_name_uuid_errors);
	g_test_add_func("/conf/parse/virt-type-arch-os", test_virt_type_arch_os);
	g_test_add_func("/conf/parse/lifecycle", test_lifecycle);
	g_test_add_func("/conf/parse/malformed", test_malformed);
	g_test_add_func("/conf/parse/malformed-is-quiet", test_malformed_is_quiet);
	g_test_add_func("/conf/parse/generated-uuid", test_generated_uuid);
	g_test_add_func("/conf/uuid/text", test_uuid_text);
	g_test_add_func("/conf/parse/validate-flag", test_validate_flag);
	g_test_add_func("/conf/devices/stub-console", test_stub_console);
	g_test_add_func("/conf/format/live", test_live_xml);
	g_test_add_func("/conf/devices/unsupported", test_unsupported_devices);
	g_test_add_func("/conf/devices/supported", test_supported_devices);
	g_test_add_func("/conf/devices/parse-errors", test_device_parse_errors);
	g_test_add_func("/conf/parse/features-timers-memory-limits", test_features_timers_memory_limits);
	g_test_add_func("/conf/check/schema-safety-net", test_schema_safety_net);
	g_test_add_func("/conf/devices/disk-net", test_disk_net_details);
	g_test_add_func("/conf/format/metadata-verbatim", test_metadata_verbatim);
	g_test_add_func("/conf/format/round-trip", test_round_trip);
	g_test_add_func("/conf/parse/virt-install", test_virt_install_xml);
	g_test_add_func("/conf/config/to-config", test_to_config);
	g_test_add_func("/conf/config/argv", test_argv);
	g_test_add_func("/conf/examples", test_examples);
	return g_test_run();
}
