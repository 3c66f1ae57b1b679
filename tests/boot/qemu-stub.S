/* Reset-vector stub for test-qemu-boot.sh: QEMU's "pc" machine runs it in
 * place of a BIOS.  It goes from real mode straight to long mode on the
 * identity page tables tandem's loader wrote at 0x9000, with a GDT like the
 * loader's (__BOOT_CS 0x10 64-bit, __BOOT_DS 0x18), and jumps to the
 * loader's entry point with RSI = the zero page (p_rip/p_rsi, patched in by
 * qemu-dump).  Linked at 0xFF000 (F000:F000); the reset vector jumps here.
 * It also gives the PIIX4 PM block its I/O base 0x600 (PORT_ACPI_PM), the
 * job a BIOS would do, so that the FADT's registers exist. */
	.text
	.code16
	.globl _start
_start:
	cli
	cld
	/* PIIX4 PM I/O base 0x600 + enable (no BIOS did it) */
	movl $0x80000B40, %eax
	movw $0xCF8, %dx
	outl %eax, %dx
	movl $0x601, %eax
	movw $0xCFC, %dx
	outl %eax, %dx
	movl $0x80000B80, %eax
	movw $0xCF8, %dx
	outl %eax, %dx
	movb $1, %al
	movw $0xCFC, %dx
	outb %al, %dx
	lgdtl %cs:(gdtdesc - 0xF0000)
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl $0x9000, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax
	movl %eax, %cr0
	ljmpl $0x10, $lm64
	.code64
lm64:
	movl $0x18, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq p_rip(%rip), %rax
	movq p_rsi(%rip), %rsi
	movq $0x8FF0, %rsp
	xorl %ebp, %ebp
	xorl %edi, %edi
	xorl %ebx, %ebx
	jmp *%rax
	.balign 8
gdt:
	.quad 0, 0, 0x00AF9B000000FFFF, 0x00CF93000000FFFF
gdtdesc:
	.word 31
	.long gdt
	.balign 8
p_rip:	.quad 0
p_rsi:	.quad 0
