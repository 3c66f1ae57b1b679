/* Helper of test-libvirt-parity.py: parses each FILE with src/conf and
 * prints one line per file:
 *   ok MEMORY_KIB CURRENT_KIB VCPUS VCPUS_CURRENT NSERIALS NCONSOLES NINPUTS
 *   err CODE MESSAGE (g_strescape'd)
 * --validate applies DOMAIN_DEF_PARSE_VALIDATE. */
#include "conf/conf_error.h"
#include "conf/domain_def.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned flags = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--validate")) {
			flags |= DOMAIN_DEF_PARSE_VALIDATE;
			continue;
		}
		g_autoptr(GError) err = NULL;
		g_autoptr(domain_def) d = domain_def_parse_file(argv[i], flags, &err);
		if (!d) {
			g_autofree char *m = g_strescape(err->message, NULL);
			printf("err %d %s\n", err->code, m);
			continue;
		}
		printf("ok %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %u %u %zu %zu %zu\n", d->memory_kib,
		       d->current_memory_kib, d->vcpus, d->vcpus_current, d->nserials, d->nconsoles, d->ninputs);
	}
	return 0;
}
