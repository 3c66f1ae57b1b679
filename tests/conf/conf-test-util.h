/* Helpers shared by the src/conf tests: a minimal domain, parse
 * expectations, and validation against libvirt's installed schema. */
#ifndef TANDEM_TESTS_CONF_UTIL_H
#define TANDEM_TESTS_CONF_UTIL_H

#include "vmm/machine_config.h"
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

G_GNUC_UNUSED static char *with_devices(const char *devices)
{
	return g_strdup_printf(MINIMAL_HEAD "  <devices>\n%s\n  </devices>\n</domain>\n", devices);
}

G_GNUC_UNUSED static const char minimal_xml[] =
	MINIMAL_HEAD
	"  <devices>\n"
	"    <serial type='pty'/>\n"
	"  </devices>\n"
	"</domain>\n";

G_GNUC_UNUSED static struct domain_def *parse_ok(const char *xml, unsigned flags)
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
G_GNUC_UNUSED static void parse_fails(const char *xml, unsigned flags, int code, const char *part)
{
	g_autoptr(GError) err = NULL;
	struct domain_def *d = domain_def_parse(xml, flags, &err);
	g_assert_null(d);
	g_assert_error(err, CONF_ERROR, code);
	if (part && !strstr(err->message, part))
		g_error("message '%s' lacks '%s'", err->message, part);
}

G_GNUC_UNUSED static void assert_valid(const char *xml)
{
	g_autoptr(GError) err = NULL;
	if (!domain_xml_validate(xml, &err))
		g_error("formatted XML does not validate: %s\n%s", err->message, xml);
}

G_GNUC_UNUSED static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		g_error("'%s' not found in:\n%s", needle, hay);
}

#endif
