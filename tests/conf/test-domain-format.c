/* Tests of domain_format.c: libvirt's layout, the stub console, live XML,
 * kept elements, round trips, and validity against libvirt's schema. */
#include "conf-test-util.h"

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
	/* a virtio console is a different device: kept, refused at define by a machine without virtio */
	g_autofree char *vx = with_devices("<console type='pty'><target type='virtio'/></console>");
	g_autoptr(domain_def) v = parse_ok(vx, 0);
	g_assert_cmpuint(v->nserials, ==, 0);
	g_assert_cmpuint(v->nconsoles, ==, 1);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported_with(v, 0, &err));
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

/* Quotes, markup characters, tabs, newlines and carriage returns in
 * text and attribute values survive format -> parse unchanged. */
static void test_special_characters(void)
{
	const char *xml =
		"<domain type='qemu'>"
		"<name>a'b\"c&lt;d&gt;&amp;e f\u00e9</name>"
		"<title>t'\"&lt;&amp;&gt;&#9;x</title>"
		"<description>l1\nl2&#13;&#10;&#9;'\"&lt;&amp;&gt;</description>"
		"<memory>65536</memory>"
		"<os><type>hvm</type><kernel>/k'\"&amp;&lt;&gt;&#9;&#10;p</kernel>"
		"<cmdline>console=ttyS0 a=\"b c\" d='e' f&lt;g&gt;&amp;h &#13;</cmdline></os>"
		"<devices><serial type='file'><source path='/tmp/a&apos;b&quot;c&#9;d&#10;e&#13;f&lt;&amp;'/></serial>"
		"<disk type='file'><source file='/i m&amp;g&#10;'/><target dev='vda'/><serial>s&amp;n</serial></disk>"
		"<interface type='bridge'><source bridge='br&apos;0'/></interface>"
		"<graphics type='vnc' passwd='p&apos;w&#10;d&amp;'/></devices>"
		"</domain>";
	g_autoptr(domain_def) d = parse_ok(xml, 0);
	g_assert_cmpstr(d->name, ==, "a'b\"c<d>&e f\u00e9");
	g_assert_cmpstr(d->title, ==, "t'\"<&>\tx");
	g_assert_cmpstr(d->description, ==, "l1\nl2\r\n\t'\"<&>");
	g_assert_cmpstr(d->kernel, ==, "/k'\"&<>\t\np");
	g_assert_cmpstr(d->cmdline, ==, "console=ttyS0 a=\"b c\" d='e' f<g>&h \r");
	g_assert_cmpstr(d->serials[0].source_path, ==, "/tmp/a'b\"c\td\ne\rf<&");
	g_assert_cmpstr(d->disks[0].source, ==, "/i m&g\n");
	g_assert_cmpstr(d->nets[0].source, ==, "br'0");
	g_autofree char *x = domain_def_format(d, NULL, 0);
	g_autoptr(domain_def) back = parse_ok(x, 0);
	g_assert_cmpstr(back->name, ==, d->name);
	g_assert_cmpstr(back->title, ==, d->title);
	g_assert_cmpstr(back->description, ==, d->description);
	g_assert_cmpstr(back->kernel, ==, d->kernel);
	g_assert_cmpstr(back->cmdline, ==, d->cmdline);
	g_assert_cmpstr(back->serials[0].source_path, ==, d->serials[0].source_path);
	g_assert_cmpstr(back->disks[0].source, ==, d->disks[0].source);
	g_assert_cmpstr(back->disks[0].serial, ==, "s&n");
	g_assert_cmpstr(back->nets[0].source, ==, "br'0");
	g_autofree char *x2 = domain_def_format(back, NULL, 0);
	g_assert_cmpstr(x, ==, x2);
	/* kept elements too */
	g_assert_null(strstr(x, "passwd")); /* only with DOMAIN_XML_SECURE */
	g_autofree char *xs = domain_def_format(d, NULL, DOMAIN_XML_SECURE);
	assert_contains(xs, "passwd='p&apos;w&#10;d&amp;'");
	assert_contains(x, "<description>l1\nl2&#13;\n\t'\"&lt;&amp;&gt;</description>");
	/* the live XML's pty path is escaped as well */
	g_autofree char *px = with_devices("<serial type='pty'/>");
	g_autoptr(domain_def) p = parse_ok(px, 0);
	struct domain_live live = { .id = 1, .serial_pty = "/dev/pts/'1&" };
	g_autofree char *lx = domain_def_format(p, &live, 0);
	assert_contains(lx, "<source path='/dev/pts/&apos;1&amp;'/>");
	assert_contains(lx, "tty='/dev/pts/&apos;1&amp;'");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/conf/devices/stub-console", test_stub_console);
	g_test_add_func("/conf/format/live", test_live_xml);
	g_test_add_func("/conf/format/metadata-verbatim", test_metadata_verbatim);
	g_test_add_func("/conf/format/round-trip", test_round_trip);
	g_test_add_func("/conf/format/special-characters", test_special_characters);
	return g_test_run();
}
