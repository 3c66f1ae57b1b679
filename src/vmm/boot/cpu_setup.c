/* The BSP's state at a kernel's entry point.  Both entries use a flat GDT
 * at LAYOUT_GDT with boot.rst's selectors: __BOOT_CS 0x10, __BOOT_DS 0x18.
 * The 64-bit entry additionally runs in long mode on identity page tables
 * for 0-4 GiB made of 2 MiB pages (LAYOUT_PML4/PDPT/PD).  The hidden
 * segment state is filled exactly as a descriptor load would, since the
 * emulator uses it as is. */
#include "vmm/boot/boot_priv.h"

#include <string.h>

#define GDT_CODE64 0x00AF9B000000FFFFULL   /* G, L, P, type 0xB (execute/read, accessed) */
#define GDT_CODE32 0x00CF9B000000FFFFULL   /* G, D, P, type 0xB */
#define GDT_DATA   0x00CF93000000FFFFULL   /* G, B, P, type 0x3 (read/write, accessed) */
#define BOOT_CS    0x10
#define BOOT_DS    0x18

#define CR0_PE  0x1ULL
#define CR0_ET  0x10ULL
#define CR0_PG  0x80000000ULL
#define CR4_PAE 0x20ULL
#define EFER_LME 0x100ULL
#define EFER_LMA 0x400ULL
#define APIC_BASE_BSP    0x100ULL
#define APIC_BASE_ENABLE 0x800ULL

#define PTE_P  0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL

static bool write_page_tables(struct guest_mem *gm)
{
	uint8_t pml4[4096] = { 0 }, pdpt[4096] = { 0 };
	g_autofree uint8_t *pd = g_malloc0(4 * 4096);
	st64(pml4, LAYOUT_PDPT | PTE_P | PTE_RW);
	for (unsigned i = 0; i < 4; i++)
		st64(pdpt + 8 * i, (LAYOUT_PD + 4096ULL * i) | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 2048; i++)
		st64(pd + 8 * i, (i << 21) | PTE_P | PTE_RW | PTE_PS);
	return guest_mem_write(gm, LAYOUT_PML4, pml4, sizeof(pml4)) &&
	       guest_mem_write(gm, LAYOUT_PDPT, pdpt, sizeof(pdpt)) &&
	       guest_mem_write(gm, LAYOUT_PD, pd, 4 * 4096);
}

static struct kvm_segment flat_segment(uint16_t sel, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xFFFFFFFF, .selector = sel, .type = type, .present = 1,
		.dpl = 0, .db = code64 ? 0 : 1, .s = 1, .l = code64 ? 1 : 0, .g = 1,
	};
}

static void set_boot_msrs(struct cpu_state *s)
{
	static const uint32_t zero_msrs[] = {
		0x174, 0x175, 0x176,                 /* SYSENTER_CS/ESP/EIP */
		0xC0000081, 0xC0000082, 0xC0000083,  /* STAR, LSTAR, CSTAR */
		0xC0000084, 0xC0000102,              /* SYSCALL_MASK, KERNEL_GS_BASE */
		0x10,                                /* TSC */
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(zero_msrs); i++)
		cpu_state_set_msr(s, zero_msrs[i], 0);
	cpu_state_set_msr(s, 0x1A0, 1);              /* MISC_ENABLE: fast strings */
	/* No MTRRdefType: the machine advertises no MTRRs (the kvm engine may add it where CPUID has them). */
}

bool cpu_setup(struct boot_ctx *c, enum boot_cpu_mode mode, uint64_t rip, GError **err)
{
	bool lm = mode == BOOT_CPU_LONG64;
	uint8_t gdt[32] = { 0 }, idt[16] = { 0 };
	st64(gdt + BOOT_CS, lm ? GDT_CODE64 : GDT_CODE32);
	st64(gdt + BOOT_DS, GDT_DATA);
	if (!guest_mem_write(c->gm, LAYOUT_GDT, gdt, sizeof(gdt)) ||
	    !guest_mem_write(c->gm, LAYOUT_IDT, idt, sizeof(idt)) ||
	    (lm && !write_page_tables(c->gm))) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "guest RAM too small for the GDT and page tables");
		return false;
	}

	struct cpu_state *s = c->bsp;
	memset(s, 0, sizeof(*s));
	s->regs.rip = rip;
	s->regs.rsp = LAYOUT_BOOT_STACK;
	s->regs.rflags = 0x2;              /* interrupts off */

	struct kvm_sregs *sr = &s->sregs;
	sr->cs = flat_segment(BOOT_CS, 0xB, lm);
	sr->ds = sr->es = sr->fs = sr->gs = sr->ss = flat_segment(BOOT_DS, 0x3, false);
	/* TR and LDTR as after reset: usable only as hidden state, which is
	 * what VM entry checks (busy 32-bit TSS, LDT type 2). */
	sr->tr = (struct kvm_segment){ .limit = 0xFFFF, .type = 0xB, .present = 1 };
	sr->ldt = (struct kvm_segment){ .limit = 0xFFFF, .type = 0x2, .present = 1 };
	sr->gdt.base = LAYOUT_GDT;
	sr->gdt.limit = sizeof(gdt) - 1;
	sr->idt.base = LAYOUT_IDT;
	sr->idt.limit = 7;
	sr->cr0 = CR0_PE | CR0_ET | (lm ? CR0_PG : 0);
	sr->cr3 = lm ? LAYOUT_PML4 : 0;
	sr->cr4 = lm ? CR4_PAE : 0;
	sr->efer = lm ? EFER_LME | EFER_LMA : 0;
	/* KVM_SET_SREGS also sets the APIC base: keep the LAPIC enabled. */
	sr->apic_base = LAYOUT_LAPIC_BASE | APIC_BASE_ENABLE | APIC_BASE_BSP;

	s->fpu.fcw = 0x37F;
	s->fpu.mxcsr = 0x1F80;
	set_boot_msrs(s);
	return true;
}
