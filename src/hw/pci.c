#include "hw/pci.h"

#include "vmm/layout.h"

#include <string.h>

#define CONF1_ENABLE 0x80000000u
#define CONF1_MASK   0x80FFFFFCu  /* reserved bits 30:24 and 1:0 read 0 */
#define PCI_IO_SPACE 0x10000ULL

struct pci_host {
	struct bus *pio, *mmio;
	struct irq_router *irq;
	uint32_t conf_addr;
	struct pci_device *slots[PCI_SLOTS];
	struct pci_device bridge;
	struct {
		io_handler_fn *fn;
		void *opaque;
	} legacy[4];  /* ports 0xCF8-0xCFB for byte accesses */
};

unsigned pci_intx_line(unsigned slot, unsigned pin)
{
	return 16 + ((slot + pin - 1) % 4);
}

/* ---- device setup ---- */

void pci_device_init(struct pci_device *d, const char *name, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint8_t revision)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	pci_config_set16(d, PCI_VENDOR_ID, vendor);
	pci_config_set16(d, PCI_DEVICE_ID, device);
	d->config[PCI_REVISION_ID] = revision;
	d->config[PCI_CLASS_PROG] = (uint8_t)class_code;
	d->config[PCI_CLASS_PROG + 1] = (uint8_t)(class_code >> 8);
	d->config[PCI_CLASS_PROG + 2] = (uint8_t)(class_code >> 16);
	/* COMMAND: IO, MEM, MASTER, PARITY, SERR, INTX_DISABLE. */
	d->wmask[PCI_COMMAND] = 0x47;
	d->wmask[PCI_COMMAND + 1] = 0x05;
	/* STATUS: the error bits are write-1-to-clear. */
	d->w1cmask[PCI_STATUS + 1] = 0xF9;
	d->wmask[0x0C] = 0xFF;  /* cache line size */
	d->wmask[0x0D] = 0xFF;  /* latency timer */
	d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
	d->next_cap = 0x40;
}

void pci_device_set_subsystem(struct pci_device *d, uint16_t vendor, uint16_t id)
{
	pci_config_set16(d, PCI_SUBSYSTEM_VENDOR_ID, vendor);
	pci_config_set16(d, PCI_SUBSYSTEM_ID, id);
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

bool pci_device_set_bar(struct pci_device *d, unsigned bar, enum pci_bar_type type, uint64_t size,
			bool prefetchable, io_handler_fn *io, void *io_opaque)
{
	if (bar >= PCI_NUM_BARS || !is_pow2(size))
		return false;
	if (type == PCI_BAR_IO && (size < 4 || size > 256))
		return false;
	if ((type == PCI_BAR_MEM32 || type == PCI_BAR_MEM64) && size < 16)
		return false;
	if (type == PCI_BAR_MEM32 && size > 2 * GiB)
		return false;
	if (type == PCI_BAR_MEM64 && bar + 1 >= PCI_NUM_BARS)
		return false;
	if (type == PCI_BAR_NONE)
		return false;

	unsigned off = PCI_BAR0 + 4 * bar;
	uint64_t mask = ~(size - 1);
	uint32_t low_flags;
	switch (type) {
	case PCI_BAR_IO:
		low_flags = 0x1;
		mask &= ~0x3ULL;
		break;
	case PCI_BAR_MEM32:
		low_flags = prefetchable ? 0x8 : 0x0;
		mask &= 0xFFFFFFF0ULL;
		break;
	default:
		low_flags = 0x4 | (prefetchable ? 0x8 : 0x0);
		mask &= ~0xFULL;
		break;
	}
	pci_config_set32(d, off, low_flags);
	for (unsigned i = 0; i < 4; i++)
		d->wmask[off + i] = (uint8_t)(mask >> (8 * i));
	if (type == PCI_BAR_MEM64) {
		pci_config_set32(d, off + 4, 0);
		for (unsigned i = 0; i < 4; i++)
			d->wmask[off + 4 + i] = (uint8_t)(mask >> (32 + 8 * i));
		d->bars[bar + 1] = (struct pci_bar){ .type = PCI_BAR_NONE };
	}
	d->bars[bar] = (struct pci_bar){
		.type = type, .prefetchable = prefetchable, .size = size,
		.io = io, .io_opaque = io_opaque,
	};
	return true;
}

uint8_t pci_device_add_capability(struct pci_device *d, uint8_t id, unsigned len)
{
	unsigned off = (d->next_cap + 3u) & ~3u;
	if (len < 2 || off < 0x40 || off + len > PCI_CONFIG_SIZE)
		return 0;
	d->config[off] = id;
	d->config[off + 1] = 0;
	/* Append: walk to the last entry (the list is ours, so it is finite). */
	if (!d->config[PCI_CAPABILITY_LIST]) {
		d->config[PCI_CAPABILITY_LIST] = (uint8_t)off;
	} else {
		unsigned p = d->config[PCI_CAPABILITY_LIST];
		while (d->config[p + 1])
			p = d->config[p + 1];
		d->config[p + 1] = (uint8_t)off;
	}
	d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	d->next_cap = (uint8_t)((off + len) > 0xFF ? 0xFF : off + len);
	return (uint8_t)off;
}

void pci_device_set_interrupt_pin(struct pci_device *d, uint8_t pin)
{
	d->config[PCI_INTERRUPT_PIN] = pin <= 4 ? pin : 0;
}

/* ---- BAR decoding ---- */

static uint32_t config_get32(const struct pci_device *d, unsigned off)
{
	return (uint32_t)pci_config_get16(d, off) | (uint32_t)pci_config_get16(d, off + 2) << 16;
}

/* Where the guest put BAR i, and whether it is decoded now. */
static bool bar_decode(const struct pci_device *d, unsigned i, uint64_t *addr)
{
	const struct pci_bar *b = &d->bars[i];
	uint16_t cmd = pci_config_get16(d, PCI_COMMAND);
	uint32_t lo = config_get32(d, PCI_BAR0 + 4 * i);
	uint64_t a, limit;

	switch (b->type) {
	case PCI_BAR_IO:
		if (!(cmd & PCI_COMMAND_IO))
			return false;
		a = lo & ~0x3u;
		limit = PCI_IO_SPACE;
		break;
	case PCI_BAR_MEM32:
		if (!(cmd & PCI_COMMAND_MEMORY))
			return false;
		a = lo & ~0xFu;
		limit = LAYOUT_4G;
		break;
	case PCI_BAR_MEM64:
		if (!(cmd & PCI_COMMAND_MEMORY))
			return false;
		a = (lo & ~0xFull) | (uint64_t)config_get32(d, PCI_BAR0 + 4 * i + 4) << 32;
		limit = 1ULL << 52;  /* beyond any physical address width */
		break;
	default:
		return false;
	}
	if (a == 0 || a >= limit || b->size > limit - a)
		return false;
	*addr = a;
	return true;
}

static struct bus *bar_bus(const struct pci_host *h, const struct pci_bar *b)
{
	return b->type == PCI_BAR_IO ? h->pio : h->mmio;
}

static void bar_unmap(struct pci_device *d, unsigned i)
{
	struct pci_bar *b = &d->bars[i];
	if (!b->mapped)
		return;
	b->mapped = false;
	if (b->io && d->host)
		bus_unregister(bar_bus(d->host, b), b->addr);
	if (d->bar_map)
		d->bar_map(d, i, b->addr, false);
}

static void bar_map(struct pci_device *d, unsigned i, uint64_t addr)
{
	struct pci_bar *b = &d->bars[i];
	if (b->io && d->host) {
		g_autoptr(GError) err = NULL;
		if (!bus_register(bar_bus(d->host, b), addr, b->size, b->io, b->io_opaque, d->name, &err)) {
			/* The guest placed it over something else: not decoded. */
			g_debug("pci %s BAR%u at 0x%" G_GINT64_MODIFIER "x not mapped: %s",
				d->name, i, addr, err->message);
			return;
		}
	}
	b->mapped = true;
	b->addr = addr;
	if (d->bar_map)
		d->bar_map(d, i, addr, true);
}

static void pci_update_bars(struct pci_device *d)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &d->bars[i];
		if (b->type == PCI_BAR_NONE)
			continue;
		uint64_t addr = 0;
		bool on = bar_decode(d, i, &addr);
		if (b->mapped && (!on || addr != b->addr))
			bar_unmap(d, i);
		if (on && !b->mapped)
			bar_map(d, i, addr);
	}
}

/* ---- INTx ---- */

static bool intx_asserted(const struct pci_device *d)
{
	return d->intx_level && d->config[PCI_INTERRUPT_PIN] &&
	       !(pci_config_get16(d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
}

static void pci_update_intx_line(struct pci_host *h, unsigned line)
{
	bool level = false;
	for (unsigned s = 0; s < PCI_SLOTS; s++) {
		struct pci_device *d = h->slots[s];
		if (d && intx_asserted(d) && pci_intx_line(s, d->config[PCI_INTERRUPT_PIN]) == line)
			level = true;
	}
	if (h->irq)
		irq_router_set(h->irq, line, level);
}

void pci_device_set_irq(struct pci_device *d, bool level)
{
	d->intx_level = level;
	if (level)
		d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
	if (d->host && d->config[PCI_INTERRUPT_PIN])
		pci_update_intx_line(d->host, pci_intx_line(d->slot, d->config[PCI_INTERRUPT_PIN]));
}

/* ---- config space ---- */

static struct pci_device *pci_lookup(struct pci_host *h, unsigned bus, unsigned slot, unsigned fn)
{
	if (bus != 0 || fn != 0 || slot >= PCI_SLOTS)
		return NULL;
	return h->slots[slot];
}

static bool ranges_overlap(unsigned a, unsigned alen, unsigned b, unsigned blen)
{
	return a < b + blen && b < a + alen;
}

uint32_t pci_config_read(struct pci_host *h, unsigned bus, unsigned slot, unsigned fn,
			 unsigned offset, unsigned len)
{
	struct pci_device *d = pci_lookup(h, bus, slot, fn);
	if (!d || len == 0 || len > 4 || offset >= PCI_CONFIG_SIZE || len > PCI_CONFIG_SIZE - offset)
		return len >= 4 ? 0xFFFFFFFFu : (1u << (8 * len)) - 1;
	uint32_t v = 0;
	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)d->config[offset + i] << (8 * i);
	if (d->config_read)
		v = d->config_read(d, offset, len, v);
	return v;
}

void pci_config_write(struct pci_host *h, unsigned bus, unsigned slot, unsigned fn,
		      unsigned offset, unsigned len, uint32_t value)
{
	struct pci_device *d = pci_lookup(h, bus, slot, fn);
	if (!d || len == 0 || len > 4 || offset >= PCI_CONFIG_SIZE || len > PCI_CONFIG_SIZE - offset)
		return;
	for (unsigned i = 0; i < len; i++) {
		unsigned o = offset + i;
		uint8_t b = (uint8_t)(value >> (8 * i));
		d->config[o] = (uint8_t)((d->config[o] & ~d->wmask[o]) | (b & d->wmask[o]));
		d->config[o] &= (uint8_t)~(b & d->w1cmask[o]);
	}
	if (ranges_overlap(offset, len, PCI_COMMAND, 2) || ranges_overlap(offset, len, PCI_BAR0, 24))
		pci_update_bars(d);
	if (ranges_overlap(offset, len, PCI_COMMAND, 2) && d->config[PCI_INTERRUPT_PIN])
		pci_update_intx_line(h, pci_intx_line(d->slot, d->config[PCI_INTERRUPT_PIN]));
	if (d->config_write)
		d->config_write(d, offset, len, value);
}

/* ---- conf1 ports ---- */

void pci_host_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	struct pci_host *h = opaque;
	uint8_t *p = data;
	uint32_t v = 0;

	if (offset == 0 && len == 4) {  /* the config address register */
		if (is_write) {
			memcpy(&v, data, 4);
			h->conf_addr = v & CONF1_MASK;
		} else {
			memcpy(data, &h->conf_addr, 4);
		}
		return;
	}
	if (offset >= 4 && offset + len <= 8) {  /* config data */
		unsigned byte = (unsigned)offset - 4;
		uint32_t a = h->conf_addr;
		bool on = a & CONF1_ENABLE;
		unsigned bus = (a >> 16) & 0xFF, slot = (a >> 11) & 0x1F, fn = (a >> 8) & 0x7;
		unsigned reg = (a & 0xFC) + byte;
		if (is_write) {
			memcpy(&v, data, len);
			if (on)
				pci_config_write(h, bus, slot, fn, reg, len, v);
		} else {
			v = on ? pci_config_read(h, bus, slot, fn, reg, len) : 0xFFFFFFFFu;
			memcpy(data, &v, len);
		}
		return;
	}
	/* Narrow accesses to 0xCF8-0xCFB: other ports, byte by byte. */
	for (unsigned i = 0; i < len; i++) {
		uint64_t port = offset + i;
		if (port < 4 && h->legacy[port].fn) {
			h->legacy[port].fn(h->legacy[port].opaque, 0, p + i, 1, is_write, cpu);
		} else if (!is_write) {
			p[i] = 0xFF;
		}
	}
}

/* ---- host ---- */

struct pci_host *pci_host_create(struct bus *pio, struct bus *mmio, struct irq_router *irq)
{
	struct pci_host *h = g_new0(struct pci_host, 1);
	h->pio = pio;
	h->mmio = mmio;
	h->irq = irq;
	/* The 440FX PMC: memory and bus-master decoding on, as firmware leaves it. */
	pci_device_init(&h->bridge, "i440fx", 0x8086, 0x1237, 0x060000, 0x02);
	pci_config_set16(&h->bridge, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_register_device(h, &h->bridge, 0, NULL);
	return h;
}

bool pci_host_register(struct pci_host *h, GError **err)
{
	return bus_register(h->pio, PORT_PCI_CONFIG, 8, pci_host_io, h, "pci-conf1", err);
}

void pci_host_set_legacy_port(struct pci_host *h, uint16_t port, io_handler_fn *fn, void *opaque)
{
	if (port < PORT_PCI_CONFIG || port >= PORT_PCI_CONFIG + 4)
		return;
	h->legacy[port - PORT_PCI_CONFIG].fn = fn;
	h->legacy[port - PORT_PCI_CONFIG].opaque = opaque;
}

bool pci_register_device(struct pci_host *h, struct pci_device *d, unsigned slot, GError **err)
{
	if (slot >= PCI_SLOTS) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "PCI device %s: slot %u out of range (0-%u)", d->name, slot, PCI_SLOTS - 1);
		return false;
	}
	if (h->slots[slot]) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "PCI device %s: slot %u is taken by %s", d->name, slot, h->slots[slot]->name);
		return false;
	}
	if (d->host) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "PCI device %s is already registered", d->name);
		return false;
	}
	d->host = h;
	d->slot = slot;
	if (d->config[PCI_INTERRUPT_PIN])
		d->config[PCI_INTERRUPT_LINE] = (uint8_t)pci_intx_line(slot, d->config[PCI_INTERRUPT_PIN]);
	memcpy(d->config_reset, d->config, PCI_CONFIG_SIZE);
	h->slots[slot] = d;
	pci_update_bars(d);
	return true;
}

void pci_host_reset(struct pci_host *h)
{
	h->conf_addr = 0;
	for (unsigned s = 0; s < PCI_SLOTS; s++) {
		struct pci_device *d = h->slots[s];
		if (!d)
			continue;
		for (unsigned i = 0; i < PCI_NUM_BARS; i++)
			bar_unmap(d, i);
		memcpy(d->config, d->config_reset, PCI_CONFIG_SIZE);
		d->intx_level = false;
		pci_update_bars(d);
	}
	for (unsigned line = 16; line < 20; line++)
		pci_update_intx_line(h, line);
}

void pci_host_destroy(struct pci_host *h)
{
	g_free(h);
}
