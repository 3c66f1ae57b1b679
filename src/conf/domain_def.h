/* A libvirt domain definition, as tandem understands it.
 *
 * domain_def_parse() reads libvirt domain XML the way libvirt 9.0 does
 * (same defaults, same error codes, unknown elements dropped unless the
 * caller asks for schema validation); domain_def_format() writes it back
 * in libvirt's element order, so that what virsh/virt-manager get back
 * validates against /usr/share/libvirt/schemas/domain.rng and parses to
 * the same definition. Everything parsed is kept, including devices the
 * machine cannot run yet: domain_def_check_supported() is the separate
 * define-time whitelist, domain_def_to_config() the translation into the
 * machine configuration (implemented in domain_config.c).
 *
 * Strings are NULL when the XML did not give them (and libvirt has no
 * default for them). Device arrays are plain arrays with a count. */
#ifndef TANDEM_DOMAIN_DEF_H
#define TANDEM_DOMAIN_DEF_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum domain_virt { DOMAIN_VIRT_QEMU, DOMAIN_VIRT_KVM };

/* libvirt's virDomainLifecycleAction (+ the two crash-only actions). */
enum domain_lifecycle_action {
	LIFECYCLE_DESTROY,
	LIFECYCLE_RESTART,
	LIFECYCLE_PRESERVE,
	LIFECYCLE_RENAME_RESTART,
	LIFECYCLE_COREDUMP_DESTROY, /* on_crash only */
	LIFECYCLE_COREDUMP_RESTART, /* on_crash only */
};
const char *domain_lifecycle_action_name(enum domain_lifecycle_action a);

struct domain_disk {
	char *type;         /* source kind: file (default), block, network, volume, dir */
	char *device;       /* disk (default), cdrom, floppy, lun */
	char *driver_name;  /* <driver name=>; NULL if absent */
	char *driver_type;  /* <driver type=>: raw, qcow2; NULL if absent (virt-install omits it) */
	char *source;       /* file= or dev= path; NULL for an empty cdrom */
	char *target_dev;   /* required: vda, hda, sda ... */
	char *target_bus;   /* virtio, ide, sata, scsi, usb, fdc; derived from target_dev if absent */
	bool readonly;
	bool shareable;
	char *serial;
	unsigned boot_order; /* <boot order=>, 0 = none */
};

struct domain_net {
	char *type;         /* user, bridge, network, ethernet, direct, vhostuser ... */
	char *mac;          /* always set: generated 52:54:00:xx:xx:xx if absent */
	char *source;       /* bridge=, network= or dev= of <source> (per type); may be NULL */
	char *bridge;       /* type='network': the network's bridge, resolved when the domain
			     * starts (live only: in live XML as <source network= bridge=>) */
	char *target_dev;   /* <target dev=>, may be NULL */
	char *model;        /* <model type=>: virtio, e1000 ...; may be NULL */
	unsigned boot_order;
};

/* A character device. The <console type='pty'><target type='serial'/>
 * that libvirt pairs with serial0 is not stored: it is the same device as
 * serials[0] (libvirt's "stub console") and is derived when formatting.
 * consoles[] holds only consoles of other target types (virtio, ...). */
struct domain_chr {
	char *type;         /* pty, file, ... */
	char *source_path;  /* file/dev/pipe/unix path; never set for pty (live-only) */
	char *target_type;  /* serial: isa-serial (default); console: virtio, ... */
	int port;           /* target port (default 0 / next free) */
};

struct domain_rng {
	char *model;        /* virtio */
	char *backend_model;/* random, egd, builtin */
	char *backend;      /* /dev/urandom for model random; may be NULL */
};

struct domain_input {
	char *type;         /* keyboard, mouse, tablet, passthrough, evdev */
	char *bus;          /* ps2, usb, virtio ...; ps2 for keyboard/mouse if absent */
};

struct domain_controller {
	char *type;         /* pci, usb, ide, sata, virtio-serial ... */
	int index;
	char *model;        /* pci-root, none, qemu-xhci ...; may be NULL */
};

/* An element tandem keeps but does not interpret (graphics, video, sound,
 * hostdev, <cpu>, timers, ...): its serialized XML, formatted back as is. */
struct domain_raw {
	char *name;         /* element name, e.g. "graphics" */
	char *xml;          /* the element serialized */
};

struct domain_def {
	enum domain_virt virt;
	char *name;
	unsigned char uuid[16];
	char *title;
	char *description;
	char *metadata_xml;         /* the <metadata> element serialized verbatim, or NULL */

	uint64_t memory_kib;        /* <memory>, always > 0 */
	uint64_t current_memory_kib;/* <currentMemory>, clamped to 0 < x <= memory_kib */
	uint64_t max_memory_kib;    /* <maxMemory>, 0 if absent */
	unsigned max_memory_slots;

	unsigned vcpus;             /* <vcpu> (maximum), >= 1 */
	unsigned vcpus_current;     /* current=, == vcpus if absent */
	char *vcpu_placement;       /* "static" (default) or "auto" */
	char *vcpu_cpuset;          /* cpuset=, may be NULL */

	char *os_type;              /* "hvm" */
	char *arch;                 /* "x86_64" */
	char *machine;              /* as given, default "pc" */
	struct domain_raw *loader;  /* <loader>, kept but not run; may be NULL */
	char *kernel, *initrd, *cmdline;
	char *boot_devs[5];         /* <boot dev=> in order (hd, cdrom, network, fd; at most 4), NULL-terminated */

	bool acpi, apic, pae;
	struct domain_raw *features; /* other <features> children */
	size_t nfeatures;

	struct domain_raw *cpu;     /* <cpu>, kept; may be NULL */

	char *clock_offset;         /* utc (default), localtime, variable, timezone */
	char *clock_adjustment;     /* variable: adjustment=, may be NULL */
	char *clock_basis;          /* variable: basis=, may be NULL */
	char *clock_timezone;       /* timezone: timezone=, may be NULL */
	struct domain_raw *timers;  /* <timer> children */
	size_t ntimers;

	enum domain_lifecycle_action on_poweroff; /* default destroy */
	enum domain_lifecycle_action on_reboot;   /* default restart */
	enum domain_lifecycle_action on_crash;    /* default destroy */

	struct domain_raw *pm;      /* <pm>, kept; may be NULL */

	char *emulator;             /* <devices><emulator>, default DOMAIN_DEFAULT_EMULATOR */
	struct domain_disk *disks;
	size_t ndisks;
	struct domain_controller *controllers;
	size_t ncontrollers;
	struct domain_net *nets;
	size_t nnets;
	struct domain_chr *serials;
	size_t nserials;
	struct domain_chr *consoles; /* non-serial consoles only, see struct domain_chr */
	size_t nconsoles;
	struct domain_input *inputs;
	size_t ninputs;
	struct domain_rng *rngs;
	size_t nrngs;
	char *memballoon_model;     /* "none" (default) or as given */
	/* graphics, video, sound, hostdev, channel, ... and the disks, NICs
	 * and chardevs of source types tandem does not model (network disks,
	 * direct NICs, tcp serials ...), in document order */
	struct domain_raw *other_devices;
	size_t nother_devices;
};

#define DOMAIN_DEFAULT_EMULATOR "/usr/bin/tandem"
#define DOMAIN_DEFAULT_SCHEMA "/usr/share/libvirt/schemas/domain.rng"

/* Flags of domain_def_parse(). */
#define DOMAIN_DEF_PARSE_VALIDATE 1 /* validate against libvirt's RelaxNG schema first */
/* The host cannot run KVM guests: type='kvm' has no capabilities
 * (VIR_ERR_INVALID_ARG "could not find capabilities for ... domaintype=kvm"),
 * as libvirt answers when its capabilities lack <domain type='kvm'>. */
#define DOMAIN_DEF_PARSE_NO_KVM 2

/* Parses domain XML. Errors are libvirt 9.0's, code (CONF_ERROR, code =
 * virErrorNumber) and message, checked against libvirt itself by
 * tests/conf/test-libvirt-parity.py; e.g. malformed XML VIR_ERR_XML_DETAIL,
 * wrong root or bad attribute values VIR_ERR_XML_ERROR, no name
 * VIR_ERR_NO_NAME, bad uuid VIR_ERR_INTERNAL_ERROR, unknown virt/os/device
 * types VIR_ERR_CONFIG_UNSUPPORTED, what libvirt knows but tandem has no
 * capabilities for (xen, aarch64 ...) VIR_ERR_INVALID_ARG, unknown memory
 * unit VIR_ERR_INVALID_ARG, too large VIR_ERR_OVERFLOW, schema
 * VIR_ERR_XML_INVALID_SCHEMA (DOMAIN_DEF_PARSE_VALIDATE). A document with
 * several errors gets the one libvirt reports first. */
struct domain_def *domain_def_parse(const char *xml, unsigned flags, GError **err);
/* The same, reading a file (errors reading it: VIR_ERR_INTERNAL_ERROR). */
struct domain_def *domain_def_parse_file(const char *path, unsigned flags, GError **err);

/* Validates a document against DOMAIN_DEFAULT_SCHEMA (or $TANDEM_DOMAIN_RNG),
 * loaded once per process. VIR_ERR_XML_INVALID_SCHEMA with libvirt's
 * message, VIR_ERR_XML_DETAIL if xml is not well formed. */
bool domain_xml_validate(const char *xml, GError **err);

void domain_def_free(struct domain_def *d);
/* g_autoptr(domain_def) d = domain_def_parse(...); */
typedef struct domain_def domain_def;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(domain_def, domain_def_free)

/* A deep copy (like libvirt's virDomainDefCopy: format, then parse). */
struct domain_def *domain_def_copy(const struct domain_def *d);
/* Whether a and b describe the same domain (their inactive XML is equal). */
bool domain_def_equal(const struct domain_def *a, const struct domain_def *b);

/* libvirt's virDomainXMLFlags, accepted by domain_def_format(). */
#define DOMAIN_XML_SECURE 1
#define DOMAIN_XML_INACTIVE 2
#define DOMAIN_XML_UPDATE_CPU 4
#define DOMAIN_XML_MIGRATABLE 8

struct domain_live {
	int id;                  /* the domain id shown as <domain id=> */
	const char *serial_pty;  /* pty path of the serial/console device, or NULL */
};

/* Formats XML. live == NULL or DOMAIN_XML_INACTIVE -> inactive XML;
 * otherwise live XML (id=, pty paths, aliases). */
char *domain_def_format(const struct domain_def *d, const struct domain_live *live, unsigned flags);

/* Define-time whitelist: VIR_ERR_CONFIG_UNSUPPORTED naming the first
 * element the machine cannot run ("tandem does not support <rng> devices
 * yet"). The driver calls it in defineXML/createXML. */
bool domain_def_check_supported(const struct domain_def *d, GError **err);

/* What the machine can run beyond the basics, for the *_with variants:
 * DOMAIN_SUPPORT_VIRTIO: virtio disks (file/block, raw/qcow2), NICs (user,
 * ethernet, bridge and libvirt-network taps, model virtio), virtio-rng and one virtio
 * console, mapped to machine_config's disks/nics/rng/console2 and to
 * --disk/--net/--rng/--console2. DOMAIN_SUPPORT_DEFAULT is what
 * domain_def_check_supported() and domain_def_to_config() use: it gains
 * DOMAIN_SUPPORT_VIRTIO once the machine builds those devices. */
#define DOMAIN_SUPPORT_VIRTIO 1
#define DOMAIN_SUPPORT_DEFAULT DOMAIN_SUPPORT_VIRTIO
bool domain_def_check_supported_with(const struct domain_def *d, unsigned support, GError **err);

/* virDomainGetMetadata: type is virDomainMetadataType (DESCRIPTION 0,
 * TITLE 1, ELEMENT 2; uri selects the element). Absent:
 * VIR_ERR_NO_DOMAIN_METADATA; bad type or missing uri: VIR_ERR_INVALID_ARG. */
char *domain_def_get_metadata(const struct domain_def *d, int type, const char *uri, GError **err);
/* virDomainSetMetadata: NULL or "" removes. ELEMENT: value is one XML
 * element, stored in namespace uri under prefix key, replacing the one
 * with that uri. Bad XML: VIR_ERR_XML_DETAIL. */
bool domain_def_set_metadata(struct domain_def *d, int type, const char *value, const char *key,
			     const char *uri, GError **err);

struct machine_config;

/* The machine configuration this definition runs as (engine from the
 * virt type, memory, vcpus, kernel/initrd/cmdline, acpi, serial, reboot
 * action). cfg must have been set up with machine_config_init(); fields
 * the definition does not decide (control socket, pidfile, serial pty
 * path file, paused) are left as they are, for the caller to fill in.
 * Refuses what the machine cannot do with VIR_ERR_CONFIG_UNSUPPORTED
 * (it runs domain_def_check_supported() first). */
bool domain_def_to_config(const struct domain_def *d, struct machine_config *cfg, GError **err);
bool domain_def_to_config_with(const struct domain_def *d, unsigned support, struct machine_config *cfg,
			       GError **err);

/* The argv of the `tandem run` that is equivalent to cfg (the inverse of
 * src/vmm/cli.c): argv[0] = tandem_path, argv[1] = "run". NULL-terminated,
 * free with g_strfreev. cli.c has no flag for cfg->uuid nor for the file
 * receiving the pty path (cfg->serial_path with SERIAL_PTY): not emitted. */
char **machine_config_to_argv(const struct machine_config *cfg, const char *tandem_path);

/* UUIDs in libvirt's textual form (8-4-4-4-12, lower case). */
char *domain_uuid_format(const unsigned char uuid[16]);
/* Accepts 32 hex digits, with '-' between bytes and surrounding blanks. */
bool domain_uuid_parse(const char *s, unsigned char out[16]);
void domain_uuid_generate(unsigned char out[16]);

#endif
