/* The CPU model: CPUID (exactly what is implemented, spec §3), MSRs
 * (spec §3.4), control-register writes with their checks and TLB effects,
 * the TSC, and port-I/O permission (IOPL, TSS bitmap). */
#include "vmm/emu/cpu.h"
#include "vmm/machine.h"
#include "vmm/vclock.h"

/* CPUID.1:EDX: FPU PSE TSC MSR PAE CX8 APIC PGE CMOV PAT CLFSH FXSR SSE SSE2 */
#define CPUID1_EDX ((1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 9) | \
		    (1u << 13) | (1u << 15) | (1u << 16) | (1u << 19) | (1u << 24) | (1u << 25) | (1u << 26))
/* CPUID.1:ECX: CX16 */
#define CPUID1_ECX (1u << 13)
/* CPUID.80000001h:EDX: SYSCALL NX 1G-pages LM; ECX: LAHF/SAHF in 64-bit mode */
#define CPUID81_EDX ((1u << 11) | (1u << 20) | (1u << 26) | (1u << 29))
#define CPUID81_ECX (1u << 0)
#define CPUID_MAX_BASIC 0x16
#define CPUID_MAX_EXT 0x80000008u

static void str4(uint32_t *out, const char *s)
{
	memcpy(out, s, 4);
}

void cpuid_query(struct emu_cpu *c, uint32_t leaf, uint32_t sub, uint32_t o[4])
{
	o[0] = o[1] = o[2] = o[3] = 0;
	unsigned ncpu = c->vm ? c->vm->ncpus : 1;
	switch (leaf) {
	case 0:
		o[0] = CPUID_MAX_BASIC;
		str4(&o[1], "Genu");
		str4(&o[3], "ineI");
		str4(&o[2], "ntel");
		break;
	case 1:
		o[0] = 0x000206a7;  /* family 6, model 0x2a, stepping 7 */
		o[1] = (c->index << 24) | (1u << 16) | (8u << 8);
		o[2] = CPUID1_ECX;
		o[3] = CPUID1_EDX;
		break;
	case 2:
		o[0] = 1;  /* no descriptors: use leaf 4 */
		break;
	case 4:
		switch (sub) {
		case 0: o[0] = 0x121; o[1] = (7u << 22) | 63; o[2] = 63; break;    /* L1d 32K */
		case 1: o[0] = 0x122; o[1] = (7u << 22) | 63; o[2] = 63; break;    /* L1i 32K */
		case 2: o[0] = 0x143; o[1] = (3u << 22) | 63; o[2] = 1023; break;  /* L2 256K */
		default: break;
		}
		break;
	case 6:
		o[0] = 1u << 2;  /* ARAT: the LAPIC timer keeps running in every idle state */
		break;
	case 7:
		if (sub == 0)
			/* ERMS: REP MOVSB/STOSB are fast here. TSC_ADJUST: with the
			 * invariant TSC it tells Linux to skip the clocksource
			 * watchdog, which otherwise marks the TSC unstable whenever
			 * the emulator falls behind real time and ticks are late. */
			o[1] = (1u << 9) | (1u << 1);
		break;
	case 0xb: {
		unsigned shift = 0;
		while ((1u << shift) < ncpu)
			shift++;
		o[3] = c->index;
		if (sub == 0) {
			o[0] = 0;
			o[1] = 1;
			o[2] = 0x100;
		} else if (sub == 1) {
			o[0] = shift;
			o[1] = ncpu;
			o[2] = 0x200 | 1;
		} else {
			o[2] = sub & 0xff;
		}
		break;
	}
	case 0x15:
		o[0] = 1;
		o[1] = 1;
		o[2] = (uint32_t)VCLOCK_TSC_HZ;
		break;
	case 0x16:
		o[0] = (uint32_t)(VCLOCK_TSC_HZ / 1000000);
		o[1] = o[0];
		o[2] = 100;
		break;
	case 0x80000000:
		o[0] = CPUID_MAX_EXT;
		break;
	case 0x80000001:
		o[2] = CPUID81_ECX;
		o[3] = CPUID81_EDX;
		break;
	case 0x80000002: case 0x80000003: case 0x80000004: {
		static const char brand[48] = "Tandem emu x86-64 CPU";
		memcpy(o, brand + (leaf - 0x80000002) * 16, 16);
		break;
	}
	case 0x80000006:
		o[2] = (256u << 16) | (6u << 12) | 64;
		break;
	case 0x80000007:
		o[3] = 1u << 8;  /* invariant TSC: it is guest time */
		break;
	case 0x80000008:
		o[0] = 0x3028;   /* 40 physical, 48 linear address bits */
		break;
	default:
		break;
	}
}

uint64_t emu_tsc(struct emu_cpu *c)
{
	uint64_t now = vclock_now(&c->m->clock);
	if (c->m->clock.mode == VCLOCK_DETERMINISTIC)
		now += c->icount - c->credited;  /* retired in this slice, not yet credited */
	return now + c->tsc_offset;
}

static bool canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

bool msr_read(struct emu_cpu *c, uint32_t idx, uint64_t *v)
{
	switch (idx) {
	case 0x10: *v = emu_tsc(c); return true;
	case 0x3b: *v = c->tsc_adjust; return true;
	case 0x17: case 0x8b: case 0x1d9: *v = 0; return true;  /* platform id, microcode rev, debugctl */
	case 0x1b: case 0x6e0: return machine_lapic_msr(c->m, c->index, idx, v, false);
	case 0x174: *v = c->sysenter_cs; return true;
	case 0x175: *v = c->sysenter_esp; return true;
	case 0x176: *v = c->sysenter_eip; return true;
	case 0x1a0: *v = c->misc_enable; return true;
	case 0x277: *v = c->pat; return true;
	case 0xc0000080: *v = c->efer; return true;
	case 0xc0000081: *v = c->star; return true;
	case 0xc0000082: *v = c->lstar; return true;
	case 0xc0000083: *v = c->cstar; return true;
	case 0xc0000084: *v = c->sfmask; return true;
	case 0xc0000100: *v = c->seg[S_FS].base; return true;
	case 0xc0000101: *v = c->seg[S_GS].base; return true;
	case 0xc0000102: *v = c->kernel_gs_base; return true;
	default: return false;
	}
}

bool msr_write(struct emu_cpu *c, uint32_t idx, uint64_t v)
{
	switch (idx) {
	case 0x10: {
		/* Writing the TSC moves TSC_ADJUST by the same amount (SDM 17.17.3). */
		uint64_t old = c->tsc_offset;
		c->tsc_offset = v - (emu_tsc(c) - c->tsc_offset);
		c->tsc_adjust += c->tsc_offset - old;
		return true;
	}
	case 0x3b:
		c->tsc_offset += v - c->tsc_adjust;
		c->tsc_adjust = v;
		return true;
	case 0x79: case 0x8b: return true;   /* microcode update trigger / revision */
	case 0x1d9: return v == 0;
	case 0x1b: case 0x6e0: return machine_lapic_msr(c->m, c->index, idx, &v, true);
	case 0x174: c->sysenter_cs = v & 0xffff; return true;
	case 0x175: if (!canonical(v)) return false; c->sysenter_esp = v; return true;
	case 0x176: if (!canonical(v)) return false; c->sysenter_eip = v; return true;
	case 0x1a0: c->misc_enable = v; return true;
	case 0x277:
		for (unsigned k = 0; k < 8; k++) {
			unsigned t = (v >> (8 * k)) & 0xff;
			if (t == 2 || t == 3 || t > 7)
				return false;
		}
		c->pat = v;
		return true;
	case 0xc0000080: {
		if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return false;
		if ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME))
			return false;
		c->efer = (v & ~(uint64_t)EFER_LMA) | (c->efer & EFER_LMA);
		tlb_flush(c, true);
		return true;
	}
	case 0xc0000081: c->star = v; return true;
	case 0xc0000082: if (!canonical(v)) return false; c->lstar = v; return true;
	case 0xc0000083: if (!canonical(v)) return false; c->cstar = v; return true;
	case 0xc0000084: c->sfmask = v & 0xffffffff; return true;
	case 0xc0000100: if (!canonical(v)) return false; c->seg[S_FS].base = v; cpu_update_mode(c); return true;
	case 0xc0000101: if (!canonical(v)) return false; c->seg[S_GS].base = v; cpu_update_mode(c); return true;
	case 0xc0000102: if (!canonical(v)) return false; c->kernel_gs_base = v; return true;
	default: return false;
	}
}

void cr_write(struct emu_cpu *c, unsigned n, uint64_t v)
{
	switch (n) {
	case 0: {
		if (v >> 32)
			emu_gp(c, 0);
		v |= CR0_ET;
		if ((v & CR0_PG) && !(v & CR0_PE))
			emu_gp(c, 0);
		if ((v & CR0_NW) && !(v & CR0_CD))
			emu_gp(c, 0);
		uint64_t old = c->cr0;
		if ((v & CR0_PG) && !(old & CR0_PG) && (c->efer & EFER_LME)) {
			if (!(c->cr4 & CR4_PAE))
				emu_gp(c, 0);
			c->efer |= EFER_LMA;
		}
		if (!(v & CR0_PG) && (old & CR0_PG) && (c->efer & EFER_LMA)) {
			if (c->code_size == 8)
				emu_gp(c, 0);
			c->efer &= ~(uint64_t)EFER_LMA;
		}
		/* PAE paging after the write: changing PG, CD or NW (re)loads the PDPTEs */
		if ((v & CR0_PG) && (c->cr4 & CR4_PAE) && !(c->efer & EFER_LMA) &&
		    ((old ^ v) & (CR0_PG | CR0_CD | CR0_NW)) && !mmu_load_pdptes(c, c->cr3))
			emu_gp(c, 0);
		c->cr0 = v;
		if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE))
			tlb_flush(c, true);
		cpu_update_mode(c);
		break;
	}
	case 2: c->cr2 = v; break;
	case 3:
		if ((c->efer & EFER_LMA) && (v >> 40))
			emu_gp(c, 0);  /* bits 63:MAXPHYADDR are reserved (no PCID) */
		if ((c->cr0 & CR0_PG) && (c->cr4 & CR4_PAE) && !(c->efer & EFER_LMA) && !mmu_load_pdptes(c, v))
			emu_gp(c, 0);
		c->cr3 = (c->efer & EFER_LMA) ? v : v & 0xffffffff;
		tlb_flush(c, false);
		break;
	case 4: {
		/* no VME/PVI: CPUID does not advertise virtual-8086 extensions */
		uint64_t ok = 0x4 | 0x8 | CR4_PSE | CR4_PAE | 0x40 | CR4_PGE | 0x100 | CR4_OSFXSR |
			      CR4_OSXMMEXCPT;
		if (v & ~ok)
			emu_gp(c, 0);
		if ((c->efer & EFER_LMA) && !(v & CR4_PAE))
			emu_gp(c, 0);
		uint64_t old = c->cr4;
		if ((c->cr0 & CR0_PG) && (v & CR4_PAE) && !(c->efer & EFER_LMA) &&
		    ((old ^ v) & (CR4_PSE | CR4_PAE | CR4_PGE)) && !mmu_load_pdptes(c, c->cr3))
			emu_gp(c, 0);
		c->cr4 = v;
		if ((old ^ v) & (CR4_PSE | CR4_PAE | CR4_PGE))
			tlb_flush(c, true);
		break;
	}
	case 8:
		if (v >> 4)
			emu_gp(c, 0);
		c->cr8 = v;
		break;
	default:
		emu_ud(c);
	}
}

bool io_allowed(struct emu_cpu *c, uint16_t port, unsigned len)
{
	/* virtual-8086 mode always consults the bitmap */
	if (c->mode == MODE_REAL || (!(c->flags & F_VM) && c->cpl <= ((flags_get(c) & F_IOPL) >> 12)))
		return true;
	if (c->tr.unusable || !(c->tr.type == 9 || c->tr.type == 11) || c->tr.limit < 0x67)
		return false;
	uint16_t base = 0;
	mmu_read_buf(c, (c->tr.base + 0x66) & c->lin_mask, &base, 2, ACC_R | ACC_SYS);
	uint32_t off = base + port / 8u;
	if (off + 1 > c->tr.limit)
		return false;
	uint16_t bits = 0;
	mmu_read_buf(c, (c->tr.base + off) & c->lin_mask, &bits, 2, ACC_R | ACC_SYS);
	return ((bits >> (port & 7)) & ((1u << len) - 1)) == 0;
}

uint64_t io_in(struct emu_cpu *c, uint16_t port, unsigned len)
{
	uint64_t v = 0;
	machine_pio(c->m, c->index, port, &v, len, false);
	code_io_note(c);
	return v;
}

void io_out(struct emu_cpu *c, uint16_t port, unsigned len, uint64_t v)
{
	machine_pio(c->m, c->index, port, &v, len, true);
	code_io_note(c);
	c->events = 1;  /* a device may have raised an interrupt or asked to stop */
}
