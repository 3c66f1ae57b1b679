/* Helper of test-libvirt-parity.py: parses each FILE with src/conf and
 * prints one line per file:
 *   ok MEMORY_KIB CURRENT_KIB VCPUS VCPUS_CURRENT NSERIALS NCONSOLES NINPUTS
 *      boot=DEV,.. life=POWEROFF,REBOOT,CRASH clock=OFFSET feat=NAME,..
 *      bus=DISK_BUS,.. net=TYPE,.. input=TYPE:BUS,..
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
		printf("ok %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %u %u %zu %zu %zu", d->memory_kib,
		       d->current_memory_kib, d->vcpus, d->vcpus_current, d->nserials, d->nconsoles, d->ninputs);
		printf(" boot=");
		for (size_t j = 0; j < G_N_ELEMENTS(d->boot_devs) && d->boot_devs[j]; j++)
			printf("%s%s", j ? "," : "", d->boot_devs[j]);
		printf(" life=%s,%s,%s clock=%s feat=", domain_lifecycle_action_name(d->on_poweroff),
		       domain_lifecycle_action_name(d->on_reboot), domain_lifecycle_action_name(d->on_crash),
		       d->clock_offset);
		/* features in libvirt's order: acpi, apic, pae, then the others */
		const char *sep = "";
		if (d->acpi) { printf("%sacpi", sep); sep = ","; }
		if (d->apic) { printf("%sapic", sep); sep = ","; }
		if (d->pae) { printf("%spae", sep); sep = ","; }
		for (size_t j = 0; j < d->nfeatures; j++, sep = ",")
			printf("%s%s", sep, d->features[j].name);
		printf(" bus=");
		for (size_t j = 0; j < d->ndisks; j++)
			printf("%s%s", j ? "," : "", d->disks[j].target_bus);
		printf(" net=");
		for (size_t j = 0; j < d->nnets; j++)
			printf("%s%s", j ? "," : "", d->nets[j].type);
		printf(" input=");
		for (size_t j = 0; j < d->ninputs; j++)
			printf("%s%s:%s", j ? "," : "", d->inputs[j].type, d->inputs[j].bus);
		printf("\n");
	}
	return 0;
}
