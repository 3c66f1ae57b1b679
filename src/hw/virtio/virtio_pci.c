/* virtio-pci transport: legacy I/O BAR, modern capabilities, MSI-X, INTx;
 * see virtio_pci.h. */
#include "hw/virtio/virtio_pci.h"

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>
#include <string.h>

#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11
#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_CTRL_MASKALL 0x4000
#define MSIX_ENTRY_MASKED 1u

static uint32_t get_le(const void *data, unsigned len)
{
	const uint8_t *p = data;
	uint32_t v = 0;
	for (unsigned i = 0; i < len && i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void put_le(void *data, unsigned len, uint64_t v)
{
	uint8_t *p = data;
	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- interrupts ---- */

bool virtio_pci_msix_enabled(const struct virtio_pci *vp)
{
	return pci_config_get16(&vp->pci, vp->msix_cap + 2) & MSIX_CTRL_ENABLE;
}

static bool msix_masked(const struct virtio_pci *vp, unsigned v)
{
	return (pci_config_get16(&vp->pci, vp->msix_cap + 2) & MSIX_CTRL_MASKALL) ||
	       (vp->msix_table[v][3] & MSIX_ENTRY_MASKED);
}

static void msix_send(struct virtio_pci *vp, unsigned v)
{
	if (msix_masked(vp, v)) {
		vp->msix_pba |= 1ULL << v;
		return;
	}
	vp->msix_pba &= ~(1ULL << v);
	uint64_t addr = vp->msix_table[v][0] | ((uint64_t)vp->msix_table[v][1] << 32);
	vp->msi_sent++;
	irq_router_msi(vp->irq, addr, vp->msix_table[v][2]);
}

/* Delivers what was held back while a vector (or the function) was masked. */
static void msix_flush_pending(struct virtio_pci *vp)
{
	if (!virtio_pci_msix_enabled(vp))
		return;
	for (unsigned v = 0; v < vp->nvectors; v++)
		if ((vp->msix_pba & (1ULL << v)) && !msix_masked(vp, v))
			msix_send(vp, v);
}

static void virtio_pci_interrupt(void *transport, struct virtio_dev *d, int which)
{
	struct virtio_pci *vp = transport;
	if (virtio_pci_msix_enabled(vp)) {
		uint16_t v = which == VIRTIO_IRQ_CONFIG ? vp->config_vector : d->queues[which].msix_vector;
		if (v < vp->nvectors)
			msix_send(vp, v);
		return;
	}
	vp->intx_raised++;
	pci_device_set_irq(&vp->pci, true);
}

static uint8_t virtio_pci_read_isr(struct virtio_pci *vp)
{
	uint8_t isr = vp->vdev->isr;
	vp->vdev->isr = 0;
	pci_device_set_irq(&vp->pci, false);
	return isr;
}

/* A vector the guest asks for: out of range means "none" (it reads back
 * VIRTIO_MSI_NO_VECTOR, which is how the driver learns of the failure). */
static uint16_t virtio_pci_vector(const struct virtio_pci *vp, uint16_t v)
{
	return v < vp->nvectors ? v : VIRTIO_MSI_NO_VECTOR;
}

static void virtio_pci_dev_reset(struct virtio_pci *vp);

/* ---- MSI-X BAR ---- */

void virtio_pci_msix_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write,
			unsigned cpu)
{
	struct virtio_pci *vp = opaque;
	(void)cpu;
	if (!is_write)
		memset(data, 0, len);
	/* Only aligned dword (or qword as two dwords) accesses are defined. */
	if ((len != 4 && len != 8) || (offset & 3))
		return;
	for (unsigned part = 0; part < len / 4; part++) {
		uint64_t off = offset + 4 * part;
		uint8_t *p = (uint8_t *)data + 4 * part;
		if (off < (uint64_t)vp->nvectors * 16) {
			unsigned v = (unsigned)(off / 16), w = (unsigned)(off % 16) / 4;
			if (!is_write) {
				put_le(p, 4, vp->msix_table[v][w]);
				continue;
			}
			vp->msix_table[v][w] = get_le(p, 4);
			if (w == 3) {
				vp->msix_table[v][3] &= MSIX_ENTRY_MASKED;
				msix_flush_pending(vp);
			}
		} else if (off >= VIRTIO_PCI_PBA_OFF && off < VIRTIO_PCI_PBA_OFF + 8 && !is_write) {
			put_le(p, 4, vp->msix_pba >> (off == VIRTIO_PCI_PBA_OFF ? 0 : 32));
		}
	}
}

/* ---- common configuration (modern) ---- */

static struct virtqueue *sel_queue(struct virtio_pci *vp)
{
	return vp->queue_sel < vp->vdev->num_queues ? &vp->vdev->queues[vp->queue_sel] : NULL;
}

static uint64_t common_read(struct virtio_pci *vp, unsigned off)
{
	struct virtio_dev *d = vp->vdev;
	struct virtqueue *q = sel_queue(vp);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: return vp->dfselect;
	case VIRTIO_PCI_COMMON_DF: return virtio_dev_host_features(d, vp->dfselect);
	case VIRTIO_PCI_COMMON_GFSELECT: return vp->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return vp->gfselect < 2 ? (uint32_t)(d->guest_features >> (32 * vp->gfselect)) : 0;
	case VIRTIO_PCI_COMMON_MSIX: return vp->config_vector;
	case VIRTIO_PCI_COMMON_NUMQ: return d->num_queues;
	case VIRTIO_PCI_COMMON_STATUS: return d->status;
	case VIRTIO_PCI_COMMON_CFGGENERATION: return d->config_generation;
	case VIRTIO_PCI_COMMON_Q_SELECT: return vp->queue_sel;
	}
	if (!q)
		return 0;  /* a queue that does not exist has size 0 */
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE: return q->size;
	case VIRTIO_PCI_COMMON_Q_MSIX: return q->msix_vector;
	case VIRTIO_PCI_COMMON_Q_ENABLE: return q->ready;
	case VIRTIO_PCI_COMMON_Q_NOFF: return vp->queue_sel;
	case VIRTIO_PCI_COMMON_Q_DESCLO: return (uint32_t)q->desc_addr;
	case VIRTIO_PCI_COMMON_Q_DESCHI: return q->desc_addr >> 32;
	case VIRTIO_PCI_COMMON_Q_AVAILLO: return (uint32_t)q->avail_addr;
	case VIRTIO_PCI_COMMON_Q_AVAILHI: return q->avail_addr >> 32;
	case VIRTIO_PCI_COMMON_Q_USEDLO: return (uint32_t)q->used_addr;
	case VIRTIO_PCI_COMMON_Q_USEDHI: return q->used_addr >> 32;
	}
	return 0;
}

static void set_half(uint64_t *a, bool hi, uint32_t v)
{
	*a = hi ? (*a & 0xffffffffULL) | ((uint64_t)v << 32) : (*a & ~0xffffffffULL) | v;
}

static void common_write(struct virtio_pci *vp, unsigned off, uint32_t v)
{
	struct virtio_dev *d = vp->vdev;
	struct virtqueue *q = sel_queue(vp);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: vp->dfselect = v; return;
	case VIRTIO_PCI_COMMON_GFSELECT: vp->gfselect = v; return;
	case VIRTIO_PCI_COMMON_GF:
		d->legacy = false;
		virtio_dev_set_guest_features(d, vp->gfselect, v);
		return;
	case VIRTIO_PCI_COMMON_MSIX: vp->config_vector = virtio_pci_vector(vp, (uint16_t)v); return;
	case VIRTIO_PCI_COMMON_STATUS:
		d->legacy = false;
		virtio_dev_set_status(d, (uint8_t)v);
		if (v == 0)
			virtio_pci_dev_reset(vp);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT: vp->queue_sel = (uint16_t)v; return;
	}
	if (!q)
		return;
	if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
		q->msix_vector = virtio_pci_vector(vp, (uint16_t)v);
		return;
	}
	/* The ring layout is frozen while the queue is enabled (4.1.4.3.2). */
	if (q->ready)
		return;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE: q->size = (uint16_t)v; break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (v == 1)
			virtio_dev_queue_enable(d, vp->queue_sel);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO: set_half(&q->desc_addr, false, v); break;
	case VIRTIO_PCI_COMMON_Q_DESCHI: set_half(&q->desc_addr, true, v); break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO: set_half(&q->avail_addr, false, v); break;
	case VIRTIO_PCI_COMMON_Q_AVAILHI: set_half(&q->avail_addr, true, v); break;
	case VIRTIO_PCI_COMMON_Q_USEDLO: set_half(&q->used_addr, false, v); break;
	case VIRTIO_PCI_COMMON_Q_USEDHI: set_half(&q->used_addr, true, v); break;
	}
}

/* Natural width of each common-config field (0: not a field start). */
static unsigned common_width(unsigned off)
{
	if (off >= VIRTIO_PCI_COMMON_Q_DESCLO && off <= VIRTIO_PCI_COMMON_Q_USEDHI)
		return off % 4 == 0 ? 4 : 0;
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_GFSELECT: case VIRTIO_PCI_COMMON_GF:
		return 4;
	case VIRTIO_PCI_COMMON_STATUS: case VIRTIO_PCI_COMMON_CFGGENERATION:
		return 1;
	case VIRTIO_PCI_COMMON_MSIX: case VIRTIO_PCI_COMMON_NUMQ: case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE: case VIRTIO_PCI_COMMON_Q_MSIX: case VIRTIO_PCI_COMMON_Q_ENABLE:
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return 2;
	}
	return 0;
}

void virtio_pci_modern_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write,
			  unsigned cpu)
{
	struct virtio_pci *vp = opaque;
	struct virtio_dev *d = vp->vdev;
	(void)cpu;
	if (!is_write)
		memset(data, 0, len);
	if (offset < VIRTIO_PCI_ISR_OFF) {
		/* Fields are accessed at their own width only (4.1.3.1). */
		unsigned off = (unsigned)offset;
		if (common_width(off) != len)
			return;
		if (is_write)
			common_write(vp, off, get_le(data, len));
		else
			put_le(data, len, common_read(vp, off));
	} else if (offset < VIRTIO_PCI_DEVICE_OFF) {
		if (!is_write && offset == VIRTIO_PCI_ISR_OFF)
			put_le(data, 1, virtio_pci_read_isr(vp));
	} else if (offset < VIRTIO_PCI_NOTIFY_OFF) {
		uint32_t off = (uint32_t)(offset - VIRTIO_PCI_DEVICE_OFF);
		if (is_write)
			virtio_dev_config_write(d, off, data, len);
		else
			virtio_dev_config_read(d, off, data, len);
	} else if (is_write) {
		uint64_t q = (offset - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;
		if (q < d->num_queues)
			virtio_dev_queue_notify(d, (unsigned)q);
	}
}

/* ---- legacy I/O BAR ---- */

static void legacy_set_pfn(struct virtio_pci *vp, struct virtqueue *q, uint32_t pfn)
{
	if (pfn == 0) {
		uint16_t vec = q->msix_vector;
		vq_reset(q);
		q->msix_vector = vec;
		return;
	}
	/* Legacy layout: fixed size, avail after desc, used on the next page. */
	q->size = q->max_size;
	q->desc_addr = (uint64_t)pfn << VIRTIO_PCI_QUEUE_ADDR_SHIFT;
	q->avail_addr = q->desc_addr + vq_desc_bytes(q->size);
	q->used_addr = (q->avail_addr + vq_avail_bytes(q->size) + VIRTIO_PCI_VRING_ALIGN - 1) &
		       ~(uint64_t)(VIRTIO_PCI_VRING_ALIGN - 1);
	virtio_dev_queue_enable(vp->vdev, q->index);
}

void virtio_pci_legacy_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write,
			  unsigned cpu)
{
	struct virtio_pci *vp = opaque;
	struct virtio_dev *d = vp->vdev;
	struct virtqueue *q = sel_queue(vp);
	(void)cpu;
	bool msix = virtio_pci_msix_enabled(vp);
	unsigned cfg = VIRTIO_PCI_CONFIG_OFF(msix);
	if (!is_write)
		memset(data, 0, len);
	if (offset >= cfg) {
		uint32_t off = (uint32_t)(offset - cfg);
		if (is_write)
			virtio_dev_config_write(d, off, data, len);
		else
			virtio_dev_config_read(d, off, data, len);
		return;
	}
	uint32_t v = is_write ? get_le(data, len) : 0;
	uint64_t r = 0;
	switch (offset) {
	case VIRTIO_PCI_HOST_FEATURES:
		if (len == 4)
			r = virtio_dev_host_features(d, 0);
		break;
	case VIRTIO_PCI_GUEST_FEATURES:
		if (len != 4)
			break;
		if (is_write) {
			d->legacy = true;
			virtio_dev_set_guest_features(d, 0, v);
		}
		r = (uint32_t)d->guest_features;
		break;
	case VIRTIO_PCI_QUEUE_PFN:
		if (len != 4 || !q)
			break;
		if (is_write) {
			d->legacy = true;
			legacy_set_pfn(vp, q, v);
		}
		r = q->ready ? q->desc_addr >> VIRTIO_PCI_QUEUE_ADDR_SHIFT : 0;
		break;
	case VIRTIO_PCI_QUEUE_NUM:
		if (len == 2 && q)
			r = q->max_size;
		break;
	case VIRTIO_PCI_QUEUE_SEL:
		if (len == 2 && is_write)
			vp->queue_sel = (uint16_t)v;
		r = vp->queue_sel;
		break;
	case VIRTIO_PCI_QUEUE_NOTIFY:
		if (len == 2 && is_write && v < d->num_queues)
			virtio_dev_queue_notify(d, v);
		break;
	case VIRTIO_PCI_STATUS:
		if (len != 1)
			break;
		if (is_write) {
			d->legacy = true;
			virtio_dev_set_status(d, (uint8_t)v);
			if (v == 0) {
				virtio_pci_dev_reset(vp);
				d->legacy = true;
			}
		}
		r = d->status;
		break;
	case VIRTIO_PCI_ISR:
		if (len == 1 && !is_write)
			r = virtio_pci_read_isr(vp);
		break;
	case VIRTIO_MSI_CONFIG_VECTOR:
		if (len == 2 && msix) {
			if (is_write)
				vp->config_vector = virtio_pci_vector(vp, (uint16_t)v);
			r = vp->config_vector;
		}
		break;
	case VIRTIO_MSI_QUEUE_VECTOR:
		if (len == 2 && msix && q) {
			if (is_write)
				q->msix_vector = virtio_pci_vector(vp, (uint16_t)v);
			r = q->msix_vector;
		}
		break;
	}
	if (!is_write)
		put_le(data, len, r);
}

/* ---- setup ---- */

static void virtio_pci_config_written(struct pci_device *dev, unsigned offset, unsigned len, uint32_t value)
{
	struct virtio_pci *vp = dev->opaque;
	(void)value;
	unsigned ctrl = vp->msix_cap + 2;
	if (offset < ctrl + 2 && offset + len > ctrl)
		msix_flush_pending(vp);  /* enable or function-unmask */
}

static uint8_t add_vendor_cap(struct virtio_pci *vp, uint8_t type, uint32_t off, uint32_t length,
			      unsigned cap_len)
{
	uint8_t c = pci_device_add_capability(&vp->pci, PCI_CAP_ID_VNDR, cap_len);
	if (!c)
		return 0;
	vp->pci.config[c + VIRTIO_PCI_CAP_LEN] = (uint8_t)cap_len;
	vp->pci.config[c + VIRTIO_PCI_CAP_CFG_TYPE] = type;
	vp->pci.config[c + VIRTIO_PCI_CAP_BAR] = VIRTIO_PCI_MODERN_BAR;
	pci_config_set32(&vp->pci, c + VIRTIO_PCI_CAP_OFFSET, off);
	pci_config_set32(&vp->pci, c + VIRTIO_PCI_CAP_LENGTH, length);
	return c;
}

struct virtio_pci_ids {
	uint16_t type, legacy_id;
	uint32_t class_code;
};

static const struct virtio_pci_ids virtio_pci_ids[] = {
	{ VIRTIO_ID_NET, 0x1000, 0x020000 },
	{ VIRTIO_ID_BLOCK, 0x1001, 0x010000 },
	{ VIRTIO_ID_CONSOLE, 0x1003, 0x078000 },
	{ VIRTIO_ID_RNG, 0x1005, 0x00ff00 },
};

bool virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *vdev, struct irq_router *irq, GError **err)
{
	const struct virtio_pci_ids *ids = NULL;
	for (unsigned i = 0; i < G_N_ELEMENTS(virtio_pci_ids); i++)
		if (virtio_pci_ids[i].type == vdev->device_id)
			ids = &virtio_pci_ids[i];
	if (!ids || vdev->num_queues + 1 > VIRTIO_PCI_MAX_VECTORS) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: virtio type %u with %u queues has no transitional virtio-pci form", vdev->name,
			    vdev->device_id, vdev->num_queues);
		return false;
	}
	memset(vp, 0, sizeof(*vp));
	vp->vdev = vdev;
	vp->irq = irq;
	vp->nvectors = vdev->num_queues + 1;
	vdev->interrupt = virtio_pci_interrupt;
	vdev->transport = vp;

	struct pci_device *p = &vp->pci;
	pci_device_init(p, vdev->name, 0x1af4, ids->legacy_id, ids->class_code, 0);
	pci_device_set_subsystem(p, 0x1af4, vdev->device_id);
	p->opaque = vp;
	p->config_write = virtio_pci_config_written;
	pci_device_set_interrupt_pin(p, 1);

	/* Legacy header (24 bytes with MSI-X) + device config, power of two. */
	uint64_t io_size = 32;
	while (io_size < 24 + (uint64_t)vdev->config_len)
		io_size <<= 1;
	bool ok = io_size <= 256 &&
		  pci_device_set_bar(p, VIRTIO_PCI_LEGACY_BAR, PCI_BAR_IO, io_size, false, virtio_pci_legacy_io, vp) &&
		  pci_device_set_bar(p, VIRTIO_PCI_MSIX_BAR, PCI_BAR_MEM32, VIRTIO_PCI_MSIX_SIZE, false,
				     virtio_pci_msix_io, vp) &&
		  pci_device_set_bar(p, VIRTIO_PCI_MODERN_BAR, PCI_BAR_MEM32, VIRTIO_PCI_MODERN_SIZE, false,
				     virtio_pci_modern_io, vp);

	/* MSI-X capability: table and PBA in BAR1. */
	vp->msix_cap = ok ? pci_device_add_capability(p, PCI_CAP_ID_MSIX, 12) : 0;
	ok = ok && vp->msix_cap;
	if (ok) {
		pci_config_set16(p, vp->msix_cap + 2, (uint16_t)(vp->nvectors - 1));
		pci_config_set32(p, vp->msix_cap + 4, VIRTIO_PCI_MSIX_BAR);
		pci_config_set32(p, vp->msix_cap + 8, VIRTIO_PCI_PBA_OFF | VIRTIO_PCI_MSIX_BAR);
		p->wmask[vp->msix_cap + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
	}
	ok = ok && add_vendor_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, 0x38, 16) &&
	     add_vendor_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, 1, 16) &&
	     add_vendor_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF,
			    MAX(vdev->config_len, 1u), 16);
	uint8_t n = ok ? add_vendor_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
					VIRTIO_PCI_NOTIFY_MULT * vdev->num_queues, 20) : 0;
	if (!n) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: cannot lay out virtio-pci BARs/capabilities",
			    vdev->name);
		return false;
	}
	pci_config_set32(p, n + VIRTIO_PCI_NOTIFY_CAP_MULT, VIRTIO_PCI_NOTIFY_MULT);
	virtio_pci_reset(vp);
	return true;
}

/* Virtio device reset (status 0): transport registers of the device go
 * back to their initial values; the MSI-X table is PCI function state and
 * stays. */
static void virtio_pci_dev_reset(struct virtio_pci *vp)
{
	vp->dfselect = vp->gfselect = 0;
	vp->queue_sel = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	pci_device_set_irq(&vp->pci, false);
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	virtio_dev_reset(vp->vdev);
	virtio_pci_dev_reset(vp);
	vp->msix_pba = 0;
	for (unsigned v = 0; v < VIRTIO_PCI_MAX_VECTORS; v++) {
		memset(vp->msix_table[v], 0, sizeof(vp->msix_table[v]));
		vp->msix_table[v][3] = MSIX_ENTRY_MASKED;
	}
}
