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

/* virtio devices (issue 5): disks, network cards, entropy, a second console. */
#define CONFIG_MAX_DISKS 8
#define CONFIG_MAX_NICS 4
#define CONFIG_MAX_HOSTFWD 8

enum disk_format { DISK_FORMAT_AUTO, DISK_FORMAT_RAW, DISK_FORMAT_QCOW2 };

struct disk_config {
	char *path;            /* image file or block device */
	enum disk_format format;
	bool readonly;
	char *serial;          /* may be NULL; at most 20 bytes reach the guest */
};

enum nic_kind { NIC_USER, NIC_TAP };

struct nic_config {
	enum nic_kind kind;
	bool mac_set;
	uint8_t mac[6];        /* default 52:54:00:12:34:(56 + index) */
	/* NIC_USER: host port forwards "[tcp|udp]:[ADDR]:HOSTPORT-:GUESTPORT" */
	char *hostfwd[CONFIG_MAX_HOSTFWD];
	unsigned nhostfwd;
	bool restrict_net;     /* NIC_USER: the guest reaches nothing but forwarded ports */
	char *ifname;          /* NIC_TAP: existing or to be created */
	char *bridge;          /* NIC_TAP: attach to this bridge, may be NULL */
};

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

	/* virtio devices, in PCI slot order: disks, NICs, rng, console2. */
	struct disk_config disks[CONFIG_MAX_DISKS];
	unsigned ndisks;
	struct nic_config nics[CONFIG_MAX_NICS];
	unsigned nnics;
	bool rng;                      /* virtio-rng fed by getrandom() */
	enum serial_kind console2;     /* virtio-console (hvc0): none, pty or file */
	char *console2_path;           /* SERIAL_FILE: the file */
};

void machine_config_init(struct machine_config *c);
void machine_config_clear(struct machine_config *c);

#endif
