; Freestanding 64-bit test guest (ELF64, entered in long mode with identity
; paging by tandem's ELF loader): prints a line on COM1 and exits through
; the isa-debug-exit port with value 0x10, i.e. tandem exit status 33.
bits 64
section .text
global _start
_start:
	mov dx, 0x3f8
	lea rsi, [rel msg]
.next:	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:	mov dx, 0xf4
	mov al, 0x10
	out dx, al
.hang:	hlt
	jmp .hang
section .rodata
msg:	db "hello from a 64-bit guest", 10, 0
