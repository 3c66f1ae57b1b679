/* libFuzzer target for the domain XML layer (clang, outside automake),
 * built from this file, every .c of src/conf and src/vmm/machine_config.c:
 *   clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Isrc \
 *     $(pkg-config --cflags --libs glib-2.0 libxml-2.0) -o fuzz-domain-xml FILES
 *   ./fuzz-domain-xml -max_total_time=60 CORPUS SEEDS
 * The first input byte selects DOMAIN_DEF_PARSE_VALIDATE (bit 0); seeds are
 * examples/xml files with a byte in front.
 * Oracle beyond "no crash": whatever parses must format to XML that
 * parses back to the same definition (and the same XML), live XML too,
 * and the rest of the API must accept the definition. */
#include "vmm/machine_config.h"
#include "conf/domain_def.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	unsigned flags = data[0] & 1 ? DOMAIN_DEF_PARSE_VALIDATE : 0;
	g_autofree char *xml = g_strndup((const char *)data + 1, size - 1);
	g_autoptr(GError) err = NULL;
	g_autoptr(domain_def) d = domain_def_parse(xml, flags, &err);
	if (!d)
		return 0;
	g_autofree char *x1 = domain_def_format(d, NULL, 0);
	g_autoptr(GError) err2 = NULL;
	g_autoptr(domain_def) d2 = domain_def_parse(x1, 0, &err2);
	if (!d2)
		g_error("formatted XML does not parse: %s\n%s", err2->message, x1);
	g_autofree char *x2 = domain_def_format(d2, NULL, 0);
	if (strcmp(x1, x2) != 0)
		g_error("round trip changed the XML:\n%s\n---\n%s", x1, x2);
	struct domain_live live = { .id = 1, .serial_pty = "/dev/pts/1" };
	g_autofree char *lx = domain_def_format(d, &live, 0);
	g_autoptr(domain_def) d3 = domain_def_parse(lx, 0, NULL);
	if (!d3 || !domain_def_equal(d, d3))
		g_error("live XML does not parse back:\n%s", lx);
	struct machine_config cfg;
	machine_config_init(&cfg);
	if (domain_def_to_config(d, &cfg, NULL)) {
		g_auto(GStrv) argv = machine_config_to_argv(&cfg, "/usr/bin/tandem");
		g_assert_nonnull(argv[0]);
	}
	machine_config_clear(&cfg);
	g_free(domain_def_get_metadata(d, 2, "urn:x", NULL));
	domain_def_set_metadata(d, 2, "<a b='c'/>", "x", "urn:x", NULL);
	g_autofree char *x4 = domain_def_format(d, NULL, 0);
	g_autoptr(domain_def) d4 = domain_def_parse(x4, 0, NULL);
	if (!d4)
		g_error("XML after set_metadata does not parse:\n%s", x4);
	return 0;
}
