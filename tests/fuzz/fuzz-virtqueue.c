/* libFuzzer target: the virtqueue parser with guest memory as input.
 *
 * Input: a 16-byte header (features, queue size, ring addresses) and then
 * the first bytes of guest RAM (descriptor tables, rings, indirect tables).
 * The device side pops every chain, copies through it both ways and pushes
 * it back, exactly as a device model would; ASan/UBSan and the guest_mem
 * bounds checks catch anything that escapes validation. */
#include "hw/virtio/virtio_dev.h"
#include "hw/virtio/virtqueue.h"
#include "vmm/layout.h"

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <string.h>

#define FUZZ_RAM (2 * MiB)

static struct guest_mem gm;
static struct vq_chain chain;
static uint8_t scratch[65536];

static void quiet_log(const gchar *d, GLogLevelFlags l, const gchar *m, gpointer u)
{
	(void)d; (void)l; (void)m; (void)u;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	g_log_set_default_handler(quiet_log, NULL);
	if (!guest_mem_init(&gm, FUZZ_RAM, NULL))
		abort();
	return 0;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16)
		return 0;
	memset(gm.base, 0, FUZZ_RAM);
	size_t ram_len = MIN(size - 16, (size_t)FUZZ_RAM);
	guest_mem_write(&gm, 0, data + 16, ram_len);

	uint8_t ctl = data[0];
	uint64_t features = 0;
	if (ctl & 1)
		features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (ctl & 2)
		features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	struct virtqueue vq;
	vq_init(&vq, &gm, 0, VQ_MAX_SIZE);
	vq.size = (uint16_t)(data[2] | (data[3] << 8));
	/* Addresses: mostly near the input, sometimes anywhere (the high bit of
	 * byte 1 lets the fuzzer aim at wild addresses). */
	uint64_t mask = (data[1] & 0x80) ? UINT64_MAX : 0x3ffff;
	vq.desc_addr = (rd32(data + 4) | ((uint64_t)(data[1] & 0x0f) << 32)) & mask;
	vq.avail_addr = rd32(data + 8) & mask;
	vq.used_addr = rd32(data + 12) & mask;
	if (!vq_enable(&vq, features))
		return 0;
	/* The whole ring was already given; pop until empty or error, at most
	 * a few rounds (avail->idx is in the input, so this ends). */
	for (unsigned round = 0; round < 64; round++) {
		enum vq_pop_result r = vq_pop(&vq, &chain);
		if (r != VQ_POP_OK)
			break;
		g_assert(chain.n_out + chain.n_in <= VQ_MAX_SIZE);
		size_t got = vq_chain_read(&vq, &chain, ctl >> 4, scratch, sizeof(scratch));
		g_assert(got <= chain.out_len);
		size_t put = vq_chain_write(&vq, &chain, 0, scratch, MIN(sizeof(scratch), chain.in_len));
		g_assert(put <= chain.in_len);
		vq_push(&vq, &chain, (uint32_t)put);
		vq_should_notify(&vq);
		if (ctl & 4)
			vq_set_kick_suppression(&vq, round & 1);
	}
	return 0;
}
