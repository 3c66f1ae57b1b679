#include "vmm/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cli_usage[] =
	"Usage: tandem run [OPTIONS]\n"
	"       tandem kvm-probe   (is KVM usable here? exit 0 if so, else 1 and why)\n"
	"       tandem --help | --version\n"
	"\n"
	"Boot a guest on the tandem PC machine.\n"
	"\n"
	"  --kernel PATH       Linux bzImage, ELF64 kernel (vmlinux) or multiboot v1 kernel\n"
	"  --initrd PATH       initial ramdisk\n"
	"  --append CMDLINE    kernel command line\n"
	"  --domain FILE.xml   take the configuration from a libvirt domain XML file\n"
	"                      (flags given as well override it)\n"
	"  --memory SIZE       guest RAM, e.g. 512M, 2G (a bare number is MiB; default 256M)\n"
	"  --cpus N            number of vCPUs (default 1)\n"
	"  --accel emu|kvm     CPU engine: the built-in emulator (default) or Linux KVM\n"
	"  --serial stdio|pty|file:PATH|none\n"
	"                      where the first UART (ttyS0) goes (default stdio)\n"
	"  --clock realtime|deterministic\n"
	"                      emu guest time: host time (default), or derived from\n"
	"                      retired instructions (reproducible runs)\n"
	"  --decompress auto|host|guest\n"
	"                      bzImage payload: decompressed by tandem (host) or by the\n"
	"                      kernel itself (guest); auto = host for emu, guest for kvm\n"
	"  --no-acpi           do not build ACPI tables (MP table only)\n"
	"  --no-reboot         exit when the guest reboots instead of restarting it\n"
	"  --control PATH      listen for QMP-style JSON commands on this unix socket\n"
	"  --pidfile PATH      write the process id here\n"
	"  --paused            start with the vCPUs stopped (resume with 'cont')\n"
	"  --stats             print statistics on exit (instructions, MIPS, exits)\n"
	"  --name NAME         guest name, for messages\n"
	"  --disk PATH[,format=raw|qcow2][,readonly=on][,serial=S]\n"
	"                      a virtio disk (repeatable; format default: qcow2 when the\n"
	"                      file has the qcow2 magic, else raw)\n"
	"  --net user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]...[,restrict=on][,mac=MAC]\n"
	"  --net tap,ifname=NAME[,bridge=BR][,mac=MAC]\n"
	"                      a virtio network card: user-mode (10.0.2.15, host 10.0.2.2)\n"
	"                      or an existing/new tap device (repeatable)\n"
	"  --rng               a virtio entropy device fed by the host's getrandom()\n"
	"  --console2 pty|file:PATH\n"
	"                      a virtio console (hvc0) next to the serial port\n"
	"\n"
	"Exit status: 0 guest powered off; 1 error; 2 guest rebooted (--no-reboot);\n"
	"3 triple fault (--no-reboot); 4 emulation error; 5 stopped by 'quit' or a\n"
	"signal; (value << 1) | 1 when a test guest writes value to port 0xf4.\n";

bool cli_parse_memory(const char *s, uint64_t *bytes, GError **err)
{
	char *end = NULL;
	errno = 0;
	if (!s || !*s || *s == '-')
		goto bad;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		goto bad;
	unsigned shift;
	if (!*end)
		shift = 20;
	else {
		switch (g_ascii_toupper(*end)) {
		case 'B': shift = 0; break;
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		case 'T': shift = 40; break;
		default: goto bad;
		}
		end++;
		if (shift && (!g_ascii_strcasecmp(end, "iB") || !g_ascii_strcasecmp(end, "B")))
			end += strlen(end);
		if (*end)
			goto bad;
	}
	if (v > (UINT64_MAX >> shift))
		goto bad;
	*bytes = (uint64_t)v << shift;
	return true;
bad:
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "invalid memory size '%s': expected a number with an optional unit (K, M, G, T), e.g. 512M", s ? s : "");
	return false;
}

enum {
	OPT_KERNEL = 1000, OPT_INITRD, OPT_APPEND, OPT_DOMAIN, OPT_MEMORY, OPT_CPUS, OPT_ACCEL,
	OPT_SERIAL, OPT_CLOCK, OPT_DECOMPRESS, OPT_NO_ACPI, OPT_NO_REBOOT, OPT_CONTROL,
	OPT_PIDFILE, OPT_PAUSED, OPT_STATS, OPT_NAME,
	OPT_DISK, OPT_NET, OPT_RNG, OPT_CONSOLE2,
};

static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "clock", required_argument, NULL, OPT_CLOCK },
	{ "decompress", required_argument, NULL, OPT_DECOMPRESS },
	{ "no-acpi", no_argument, NULL, OPT_NO_ACPI },
	{ "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "paused", no_argument, NULL, OPT_PAUSED },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "console2", required_argument, NULL, OPT_CONSOLE2 },
	{ NULL, 0, NULL, 0 },
};

static void set_str(char **dst, const char *v)
{
	g_free(*dst);
	*dst = g_strdup(v);
}

static bool bad_value(GError **err, const char *opt, const char *v, const char *expected)
{
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "invalid value '%s' for --%s: expected %s", v, opt, expected);
	return false;
}

static bool parse_on_off(const char *opt, const char *key, const char *v, bool *out, GError **err)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
		*out = false;
	else {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "invalid value '%s' for %s= in --%s: expected on or off", v, key, opt);
		return false;
	}
	return true;
}

/* --disk PATH[,format=raw|qcow2][,readonly=on][,serial=S] */
static bool parse_disk(const char *arg, struct machine_config *cfg, GError **err)
{
	if (cfg->ndisks >= CONFIG_MAX_DISKS) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "at most %d --disk options", CONFIG_MAX_DISKS);
		return false;
	}
	g_auto(GStrv) parts = g_strsplit(arg, ",", -1);
	if (!parts[0] || !*parts[0])
		return bad_value(err, "disk", arg, "PATH[,format=raw|qcow2][,readonly=on][,serial=S]");
	struct disk_config d = { .format = DISK_FORMAT_AUTO };
	g_autofree char *serial = NULL;
	for (unsigned i = 1; parts[i]; i++) {
		const char *eq = strchr(parts[i], '=');
		g_autofree char *key = eq ? g_strndup(parts[i], (gsize)(eq - parts[i])) : g_strdup(parts[i]);
		const char *v = eq ? eq + 1 : "";
		if (!strcmp(key, "format")) {
			if (!strcmp(v, "raw"))
				d.format = DISK_FORMAT_RAW;
			else if (!strcmp(v, "qcow2"))
				d.format = DISK_FORMAT_QCOW2;
			else
				return bad_value(err, "disk", v, "format=raw or format=qcow2");
		} else if (!strcmp(key, "readonly")) {
			if (!parse_on_off("disk", "readonly", v, &d.readonly, err))
				return false;
		} else if (!strcmp(key, "serial")) {
			if (strlen(v) > 20)
				return bad_value(err, "disk", v, "a serial of at most 20 characters");
			set_str(&serial, v);
		} else {
			return bad_value(err, "disk", parts[i], "format=, readonly= or serial= after the path");
		}
	}
	d.path = g_strdup(parts[0]);
	d.serial = g_steal_pointer(&serial);
	cfg->disks[cfg->ndisks++] = d;
	return true;
}

static bool parse_mac(const char *v, uint8_t mac[6])
{
	unsigned b[6];
	char end;
	if (strlen(v) != 17 || sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
				      &end) != 6 || (b[0] & 1))
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

/* --net user[,hostfwd=...][,restrict=on][,mac=MAC] | --net tap,ifname=NAME[,bridge=BR][,mac=MAC] */
static bool parse_net(const char *arg, struct machine_config *cfg, GError **err)
{
	if (cfg->nnics >= CONFIG_MAX_NICS) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "at most %d --net options", CONFIG_MAX_NICS);
		return false;
	}
	g_auto(GStrv) parts = g_strsplit(arg, ",", -1);
	struct nic_config *n = &cfg->nics[cfg->nnics];
	memset(n, 0, sizeof(*n));
	if (!parts[0] || (strcmp(parts[0], "user") && strcmp(parts[0], "tap")))
		return bad_value(err, "net", arg, "user[,hostfwd=...] or tap,ifname=NAME");
	n->kind = !strcmp(parts[0], "tap") ? NIC_TAP : NIC_USER;
	cfg->nnics++;  /* owned by cfg from here on: cleared with it on errors */
	for (unsigned i = 1; parts[i]; i++) {
		const char *eq = strchr(parts[i], '=');
		g_autofree char *key = eq ? g_strndup(parts[i], (gsize)(eq - parts[i])) : g_strdup(parts[i]);
		const char *v = eq ? eq + 1 : "";
		if (!strcmp(key, "mac")) {
			if (!parse_mac(v, n->mac))
				return bad_value(err, "net", v, "mac=XX:XX:XX:XX:XX:XX (unicast)");
			n->mac_set = true;
		} else if (n->kind == NIC_USER && !strcmp(key, "hostfwd")) {
			if (n->nhostfwd >= CONFIG_MAX_HOSTFWD)
				return bad_value(err, "net", v, "at most 8 hostfwd= per --net");
			n->hostfwd[n->nhostfwd++] = g_strdup(v);
		} else if (n->kind == NIC_USER && !strcmp(key, "restrict")) {
			if (!parse_on_off("net", "restrict", v, &n->restrict_net, err))
				return false;
		} else if (n->kind == NIC_TAP && !strcmp(key, "ifname") && *v) {
			set_str(&n->ifname, v);
		} else if (n->kind == NIC_TAP && !strcmp(key, "bridge") && *v) {
			set_str(&n->bridge, v);
		} else {
			return bad_value(err, "net", parts[i], n->kind == NIC_USER ? "hostfwd=, restrict= or mac="
									  : "ifname=, bridge= or mac=");
		}
	}
	if (n->kind == NIC_TAP && !n->ifname)
		return bad_value(err, "net", arg, "tap,ifname=NAME");
	return true;
}

const char *cli_domain_path(int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--domain") && i + 1 < argc)
			path = argv[++i];
		else if (g_str_has_prefix(argv[i], "--domain="))
			path = argv[i] + 9;
	}
	return path;
}

bool cli_parse_run(int argc, char **argv, struct machine_config *cfg, GError **err)
{
	char *domain_xml = NULL;
	optind = 1;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "", run_options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_KERNEL: set_str(&cfg->kernel, optarg); break;
		case OPT_INITRD: set_str(&cfg->initrd, optarg); break;
		case OPT_APPEND: set_str(&cfg->cmdline, optarg); break;
		case OPT_DOMAIN: domain_xml = optarg; break;
		case OPT_MEMORY:
			if (!cli_parse_memory(optarg, &cfg->memory, err))
				return false;
			break;
		case OPT_CPUS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || end == optarg || n < 1 || n > CONFIG_MAX_CPUS) {
				g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
					    "invalid value '%s' for --cpus: expected 1 to %d", optarg, CONFIG_MAX_CPUS);
				return false;
			}
			cfg->cpus = n;
			break;
		}
		case OPT_ACCEL:
			if (!strcmp(optarg, "emu") || !strcmp(optarg, "tcg"))
				cfg->accel = ACCEL_EMU;
			else if (!strcmp(optarg, "kvm"))
				cfg->accel = ACCEL_KVM;
			else
				return bad_value(err, "accel", optarg, "emu or kvm");
			break;
		case OPT_SERIAL:
			if (!strcmp(optarg, "stdio"))
				cfg->serial = SERIAL_STDIO;
			else if (!strcmp(optarg, "pty"))
				cfg->serial = SERIAL_PTY;
			else if (!strcmp(optarg, "none"))
				cfg->serial = SERIAL_NONE;
			else if (g_str_has_prefix(optarg, "file:") && optarg[5]) {
				cfg->serial = SERIAL_FILE;
				set_str(&cfg->serial_path, optarg + 5);
			} else
				return bad_value(err, "serial", optarg, "stdio, pty, none or file:PATH");
			break;
		case OPT_CLOCK:
			if (!strcmp(optarg, "realtime"))
				cfg->clock = GUEST_CLOCK_REALTIME;
			else if (!strcmp(optarg, "deterministic"))
				cfg->clock = GUEST_CLOCK_DETERMINISTIC;
			else
				return bad_value(err, "clock", optarg, "realtime or deterministic");
			break;
		case OPT_DECOMPRESS:
			if (!strcmp(optarg, "auto"))
				cfg->decompress = DECOMPRESS_AUTO;
			else if (!strcmp(optarg, "host"))
				cfg->decompress = DECOMPRESS_HOST;
			else if (!strcmp(optarg, "guest"))
				cfg->decompress = DECOMPRESS_GUEST;
			else
				return bad_value(err, "decompress", optarg, "auto, host or guest");
			break;
		case OPT_NO_ACPI: cfg->acpi = false; break;
		case OPT_NO_REBOOT: cfg->no_reboot = true; break;
		case OPT_CONTROL: set_str(&cfg->control_socket, optarg); break;
		case OPT_PIDFILE: set_str(&cfg->pidfile, optarg); break;
		case OPT_PAUSED: cfg->start_paused = true; break;
		case OPT_STATS: cfg->stats = true; break;
		case OPT_NAME: set_str(&cfg->name, optarg); break;
		case OPT_DISK:
			if (!parse_disk(optarg, cfg, err))
				return false;
			break;
		case OPT_NET:
			if (!parse_net(optarg, cfg, err))
				return false;
			break;
		case OPT_RNG: cfg->rng = true; break;
		case OPT_CONSOLE2:
			if (!strcmp(optarg, "pty"))
				cfg->console2 = SERIAL_PTY;
			else if (!strcmp(optarg, "none"))
				cfg->console2 = SERIAL_NONE;
			else if (g_str_has_prefix(optarg, "file:") && optarg[5]) {
				cfg->console2 = SERIAL_FILE;
				set_str(&cfg->console2_path, optarg + 5);
			} else
				return bad_value(err, "console2", optarg, "pty, none or file:PATH");
			break;
		case ':':
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "option %s needs a value", argv[optind - 1]);
			return false;
		default:
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
				    "unknown option '%s' (see tandem --help)", argv[optind - 1]);
			return false;
		}
	}
	if (optind < argc) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "unexpected argument '%s' (see tandem --help)", argv[optind]);
		return false;
	}
	(void)domain_xml;  /* applied before the flags by the caller (cli_domain_path) */
	if (!cfg->kernel) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "--kernel is required (or a --domain whose <os> has a <kernel>)");
		return false;
	}
	return true;
}
