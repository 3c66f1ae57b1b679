/* Debugging aid (not a test): boots a kernel on the emu engine with no
 * devices but a write-only COM1 (bytes written to 0x3f8 go to stdout, LSR
 * reads "transmitter empty") and no interrupts, for chasing the first
 * divergence before the whole machine is available.
 *   emu-boot KERNEL CMDLINE [MAX_INSNS] [INITRD] */
#include "emu_harness.h"
#include "vmm/boot/boot.h"
#include "vmm/emu/emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void machine_pio(struct machine *m, unsigned cpu, uint16_t port, void *data, unsigned len, bool is_write)
{
	if (is_write) {
		if (port == 0x3f8) {
			fputc(*(uint8_t *)data, stdout);
			fflush(stdout);
		}
		return;
	}
	memset(data, 0xff, len);
	if (port == 0x3fd)
		*(uint8_t *)data = 0x60;
}

void machine_mmio(struct machine *m, unsigned cpu, uint64_t addr, void *data, unsigned len, bool is_write)
{
	if (!is_write)
		memset(data, 0xff, len);
}

bool machine_irq_pending(struct machine *m, unsigned cpu) { return false; }
int machine_irq_ack(struct machine *m, unsigned cpu) { return -1; }
bool machine_nmi_pending(struct machine *m, unsigned cpu) { return false; }

bool machine_lapic_msr(struct machine *m, unsigned cpu, uint32_t index, uint64_t *value, bool is_write)
{
	if (index == 0x1b && !is_write)
		*value = 0xfee00900;
	return index == 0x1b;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: emu-boot KERNEL CMDLINE [MAX_INSNS] [INITRD]\n");
		return 2;
	}
	uint64_t max = argc > 3 ? strtoull(argv[3], NULL, 0) : 100000000ULL;
	struct machine m;
	memset(&m, 0, sizeof(m));
	GError *err = NULL;
	vclock_init(&m.clock, VCLOCK_DETERMINISTIC);
	if (!guest_mem_init(&m.mem, 512ULL << 20, &err) || !engine_emu.vm_init(&m, &err)) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	struct boot_config bc = {.kernel = argv[1], .cmdline = argv[2], .host_decompress = true, .ncpus = 1,
				 .initrd = argc > 4 ? argv[4] : NULL};
	struct cpu_state st;
	memset(&st, 0, sizeof(st));
	if (!boot_load(&m.mem, &bc, &st, &err)) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	struct engine_vcpu *v = engine_emu.vcpu_create(&m, 0, &err);
	if (!engine_emu.set_state(v, &st, &err)) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	struct timespec t0, t1, c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	struct vcpu_exit ex;
	enum vcpu_exit_reason r = VCPU_EXIT_SLICE;
	while (engine_emu.instructions(v) < max) {
		r = engine_emu.run(v, 1000000, &ex);
		if (r != VCPU_EXIT_SLICE)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cs = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
	engine_emu.get_state(v, &st, &err);
	struct emu_stats es;
	emu_get_stats(v, &es);
	fprintf(stderr, "\n%.2f s CPU time: %.1f MIPS\n", cs, (double)engine_emu.instructions(v) / cs / 1e6);
	fprintf(stderr, "exit %d%s%s after %llu insns, %.2f s, %.1f MIPS (wall); rip %#llx cs %#x rsp %#llx rax %#llx\n", r,
		r == VCPU_EXIT_ERROR ? ": " : "", r == VCPU_EXIT_ERROR ? ex.error : "",
		(unsigned long long)es.instructions, s, es.instructions / s / 1e6, (unsigned long long)st.regs.rip,
		st.sregs.cs.selector, (unsigned long long)st.regs.rsp, (unsigned long long)st.regs.rax);
	fprintf(stderr, "blocks %llu (%.1f insns/block)\n", (unsigned long long)es.blocks,
		(double)es.instructions / (double)(es.blocks ? es.blocks : 1));
	fprintf(stderr, "exceptions %llu tlb flushes %llu misses %llu code invalidations %llu decodes %llu\n",
		(unsigned long long)es.exceptions, (unsigned long long)es.tlb_flushes,
		(unsigned long long)es.tlb_misses, (unsigned long long)es.code_invalidations,
		(unsigned long long)es.decodes);
	return 0;
}
