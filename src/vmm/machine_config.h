/* The machine configuration: a plain struct with one parser per source
 * (command-line flags in cli.c, domain XML in src/conf/). */
#ifndef TANDEM_MACHINE_CONFIG_H
#define TANDEM_MACHINE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_MAX_CPUS 64
#define CONFIG_DEFAULT_MEMORY (256ULL << 20)

enum accel_kind { ACCEL_EMU, ACCEL_KVM };
enum serial_kind { SERIAL_NONE, SERIAL_STDIO, SERIAL_PTY, SERIAL_FILE };
enum clock_kind { GUEST_CLOCK_REALTIME, GUEST_CLOCK_DETERMINISTIC };  /* CLOCK_* would clash with <time.h> */
/* How a bzImage is entered: the kernel's own 64-bit entry (its
 * decompressor runs in the guest), or decompressed on the host and the
 * vmlinux ELF entered directly. AUTO = host for emu, guest for kvm. */
enum kernel_decompress { DECOMPRESS_AUTO, DECOMPRESS_HOST, DECOMPRESS_GUEST };

struct machine_config {
	char *name;            /* for messages and the process title */
	char *uuid;            /* textual, may be NULL */
	char *kernel;
	char *initrd;          /* may be NULL */
	char *cmdline;         /* may be NULL */
	uint64_t memory;       /* bytes */
	unsigned cpus;
	enum accel_kind accel;
	enum serial_kind serial;
	char *serial_path;     /* SERIAL_FILE: the file; SERIAL_PTY: where to write the pty path (may be NULL) */
	enum clock_kind clock;
	enum kernel_decompress decompress;
	bool acpi;             /* build ACPI tables (default true) */
	bool stats;            /* print statistics on exit */
	bool no_reboot;        /* exit on guest reboot instead of resetting */
	char *control_socket;  /* QMP-style JSON socket path, may be NULL */
	char *pidfile;         /* may be NULL */
	bool start_paused;
};

void machine_config_init(struct machine_config *c);
void machine_config_clear(struct machine_config *c);

#endif
