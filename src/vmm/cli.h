/* Command-line parsing for `tandem run`: flags -> struct machine_config. */
#ifndef TANDEM_CLI_H
#define TANDEM_CLI_H

#include "vmm/machine_config.h"

#include <glib.h>

/* Parses a size with an optional unit: bytes, or K/M/G/T (KiB..TiB, also
 * "KiB", "MB" etc.); a bare number means MiB, as QEMU's -m does. */
bool cli_parse_memory(const char *s, uint64_t *bytes, GError **err);

/* The FILE of a --domain FILE among the arguments after "run", or NULL.
 * The domain's configuration is applied first; flags then override it. */
const char *cli_domain_path(int argc, char **argv);

/* Parses the arguments after "run". argv[0] is "run". */
bool cli_parse_run(int argc, char **argv, struct machine_config *cfg, GError **err);

extern const char cli_usage[];

#endif
