/* Debugging aid (not a test): boots a kernel on the emu engine with the
 * PC devices (src/hw/pc_devices) and a minimal deterministic run loop,
 * COM1 on stdout. For chasing divergences independently of the machine
 * core.   emu-pc KERNEL CMDLINE [INITRD] [MAX_INSNS]
 * $EMU_PC_INPUT is typed into COM1 once the guest has run 1 s of guest time. */
#include "hw/pc_devices.h"
#include "vmm/boot/boot.h"
#include "vmm/emu/emu.h"
#include "vmm/engine.h"
#include "vmm/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct machine M;
static struct engine_vcpu *VS[8];
static unsigned NCPU = 1;
#define V VS[0]
static int stop_status = -1;

void machine_pio(struct machine *m, unsigned cpu, uint16_t port, void *data, unsigned len, bool is_write)
{
	bus_access(&m->pio, port, data, len, is_write, cpu);
}

void machine_mmio(struct machine *m, unsigned cpu, uint64_t addr, void *data, unsigned len, bool is_write)
{
	bus_access(&m->mmio, addr, data, len, is_write, cpu);
}

bool machine_irq_pending(struct machine *m, unsigned cpu) { return pc_irq_pending(m->pc, cpu); }
int machine_irq_ack(struct machine *m, unsigned cpu) { return pc_irq_ack(m->pc, cpu); }
bool machine_nmi_pending(struct machine *m, unsigned cpu) { return pc_nmi_pending(m->pc, cpu); }

bool machine_lapic_msr(struct machine *m, unsigned cpu, uint32_t index, uint64_t *value, bool is_write)
{
	return pc_lapic_msr(m->pc, cpu, index, value, is_write);
}

static void host_irq_notify(void *opaque, unsigned cpu)
{
	if (cpu < NCPU && VS[cpu])
		engine_emu.irq_notify(VS[cpu]);
}

static void host_init(void *opaque, unsigned cpu)
{
	if (cpu < NCPU && VS[cpu])
		engine_emu.init_signal(VS[cpu]);
}

static void host_sipi(void *opaque, unsigned cpu, uint8_t vector)
{
	if (cpu < NCPU && VS[cpu])
		engine_emu.sipi(VS[cpu], vector);
}
static void host_reset(void *opaque) { stop_status = 200; }
static void host_stop(void *opaque, int status, bool debug_exit) { stop_status = status; }

static void serial_write(void *opaque, const uint8_t *buf, size_t len)
{
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: emu-pc KERNEL CMDLINE [INITRD] [MAX_INSNS]\n");
		return 2;
	}
	uint64_t max = argc > 4 ? strtoull(argv[4], NULL, 0) : 20000000000ULL;
	if (getenv("EMU_PC_CPUS"))
		NCPU = (unsigned)atoi(getenv("EMU_PC_CPUS"));
	if (NCPU < 1 || NCPU > 8)
		NCPU = 1;
	GError *err = NULL;
	struct machine *m = &M;
	bool realtime = getenv("EMU_PC_REALTIME") != NULL;
	vclock_init(&m->clock, realtime ? VCLOCK_REALTIME : VCLOCK_DETERMINISTIC);
	bus_init(&m->pio, "pio");
	bus_init(&m->mmio, "mmio");
	if (!guest_mem_init(&m->mem, 512ULL << 20, &err))
		goto fail;
	struct uart_backend be = {NULL, serial_write};
	struct pc_devices_params p = {
		.pio = &m->pio, .mmio = &m->mmio, .irq = &m->irq, .clock = &m->clock, .mem = &m->mem, .ncpus = NCPU,
		.serial = &be,
		.host = {NULL, host_irq_notify, host_init, host_sipi, host_reset, host_stop},
	};
	m->pc = pc_devices_create(&p, &err);
	if (!m->pc || !engine_emu.vm_init(m, &err))
		goto fail;
	struct boot_config bc = {.kernel = argv[1], .cmdline = argv[2], .host_decompress = getenv("EMU_PC_GUEST_DECOMPRESS") == NULL, .ncpus = NCPU, .acpi = getenv("EMU_PC_NOACPI") == NULL,
				 .initrd = argc > 3 && argv[3][0] ? argv[3] : NULL};
	struct cpu_state st;
	memset(&st, 0, sizeof(st));
	if (!boot_load(&m->mem, &bc, &st, &err))
		goto fail;
	for (unsigned k = 0; k < NCPU; k++) {
		VS[k] = engine_emu.vcpu_create(m, k, &err);
		if (!VS[k])
			goto fail;
	}
	if (!engine_emu.set_state(V, &st, &err))
		goto fail;
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	struct vcpu_exit ex;
	enum vcpu_exit_reason r = VCPU_EXIT_SLICE;
	const char *input = getenv("EMU_PC_INPUT");
	size_t input_len = input ? strlen(input) : 0, input_pos = 0;
	while (engine_emu.instructions(V) < max && stop_status < 0) {
		if (input_pos < input_len && vclock_now(&m->clock) > 1000000000ULL) {
			size_t room = pc_serial_rx_space(m->pc);
			if (room) {
				size_t n = input_len - input_pos < room ? input_len - input_pos : room;
				if (getenv("EMU_PC_SLOW_INPUT"))
					n = 1;
				input_pos += pc_serial_receive(m->pc, (const uint8_t *)input + input_pos, n);
			}
		}
		unsigned idle = 0;
		r = VCPU_EXIT_SLICE;
		for (unsigned k = 0; k < NCPU && stop_status < 0; k++) {
			enum vcpu_exit_reason rk = engine_emu.run(VS[k], NCPU > 1 ? 100000 : 1000000, &ex);
			vclock_run_expired(&m->clock);
			if (rk == VCPU_EXIT_HLT)
				idle++;
			else if (rk != VCPU_EXIT_SLICE) {
				r = rk;
				fprintf(stderr, "\nemu-pc: cpu %u stopped\n", k);
				break;
			}
		}
		if (r != VCPU_EXIT_SLICE)
			break;
		bool wake = false;
		for (unsigned k = 0; k < NCPU; k++)
			wake |= pc_irq_pending(m->pc, k);  /* raised by a timer that fired after the CPU halted */
		if (idle == NCPU && !wake) {
			r = VCPU_EXIT_HLT;
			uint64_t dl = vclock_next_deadline(&m->clock);
			if (dl == VCLOCK_NEVER && input_pos < input_len)
				dl = vclock_now(&m->clock) + 1000000000ULL;  /* nothing to wait for but our typing */
			if (dl == VCLOCK_NEVER) {
				fprintf(stderr, "\nemu-pc: halted with no timer armed\n");
				break;
			}
			if (realtime) {
				uint64_t now = vclock_now(&m->clock);
				if (dl > now)
					usleep((useconds_t)((dl - now) / 1000 < 100000 ? (dl - now) / 1000 : 100000));
			} else {
				vclock_warp_to(&m->clock, dl);
			}
			vclock_run_expired(&m->clock);
		}
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	double cs = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
	engine_emu.get_state(V, &st, &err);
	struct emu_stats es;
	emu_get_stats(V, &es);
	fprintf(stderr, "\nemu-pc: exit %d%s%s stop %d after %llu insns, %.2f s CPU, %.1f MIPS; guest time %.3f s; "
		"rip %#llx\n", r, r == VCPU_EXIT_ERROR ? ": " : "", r == VCPU_EXIT_ERROR ? ex.error : "", stop_status,
		(unsigned long long)es.instructions, cs, es.instructions / cs / 1e6,
		vclock_now(&m->clock) / 1e9, (unsigned long long)st.regs.rip);
	fprintf(stderr, "emu-pc: irq pending %d, rflags %#llx, run state %d\n", pc_irq_pending(m->pc, 0),
		(unsigned long long)st.regs.rflags, engine_emu.run_state(V));
	fprintf(stderr, "emu-pc: exceptions %llu interrupts %llu tlb flushes %llu blocks %llu decodes %llu\n",
		(unsigned long long)es.exceptions, (unsigned long long)es.interrupts,
		(unsigned long long)es.tlb_flushes, (unsigned long long)es.blocks, (unsigned long long)es.decodes);
	return 0;
fail:
	fprintf(stderr, "emu-pc: %s\n", err ? err->message : "failed");
	return 1;
}
