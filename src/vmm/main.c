/* tandem: the VMM, one process per guest. */
#include "config.h"
#include "conf/domain_def.h"
#include "vmm/cli.h"
#include "vmm/kvm/kvm.h"
#include "vmm/machine_config.h"
#include "vmm/run.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(cli_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tandem %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "kvm-probe")) {
		/* The same probe as --accel kvm and virttandemd's capabilities. */
		g_autoptr(GError) err = NULL;
		if (!kvm_probe(&err)) {
			printf("%s\n", err->message);
			return 1;
		}
		printf("KVM is usable: %s opens read-write, API version 12, all required extensions present\n",
		       kvm_device_path());
		return 0;
	}
	if (strcmp(argv[1], "run") != 0) {
		fprintf(stderr, "tandem: unknown command '%s' (see tandem --help)\n", argv[1]);
		return 1;
	}
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_autoptr(GError) err = NULL;
	const char *domain = cli_domain_path(argc - 1, argv + 1);
	if (domain) {
		struct domain_def *def = domain_def_parse_file(domain, 0, &err);
		bool ok = def && domain_def_to_config(def, &cfg, &err);
		domain_def_free(def);
		if (!ok) {
			fprintf(stderr, "tandem: %s: %s\n", domain, err->message);
			machine_config_clear(&cfg);
			return 1;
		}
	}
	if (!cli_parse_run(argc - 1, argv + 1, &cfg, &err)) {
		fprintf(stderr, "tandem: %s\n", err->message);
		machine_config_clear(&cfg);
		return 1;
	}
	int status = tandem_run(&cfg);
	machine_config_clear(&cfg);
	return status;
}
