; 64-bit call gates in long mode (not a common.inc guest: test-emu-segments
; starts it from the harness's flat 64-bit state at 0x200000). CALL through
; a 16-byte gate at the same privilege, then from ring 3 with the stack
; switch to TSS.RSP0 (SS becomes a null selector), RET back to ring 3.
; Records at REC; ends looping at ring 3.
bits 64
org 0x200000
REC   equ 0x300000
RSP0  equ 0x2e0000
RSP3  equ 0x2f0000

  lgdt [rel gdtr]
  lea rax, [rel tss]
  mov [rel gdt_tss + 2], ax
  shr rax, 16
  mov [rel gdt_tss + 4], al
  mov [rel gdt_tss + 7], ah
  shr rax, 16
  mov [rel gdt_tss + 8], eax
  lea rax, [rel target]
  mov [rel gdt_gate], ax
  shr rax, 16
  mov [rel gdt_gate + 6], ax
  shr rax, 16
  mov [rel gdt_gate + 8], eax
  mov qword [rel tss + 4], RSP0
  mov ax, 0x28
  ltr ax
  xor eax, eax
  mov [REC + 0x1f0], rax                ; call counter
  ; 1: same privilege through the gate (offset in the pointer is ignored)
  mov rbx, rsp
  call far [rel gptr]
ret1:
  mov [REC + 0x40], rsp
  mov [REC + 0x48], rbx
  lea rax, [rel ret1]
  mov [REC + 0x50], rax
  lea rax, [rel ret3]
  mov [REC + 0x58], rax
  lea rax, [rel spin]
  mov [REC + 0x60], rax
  ; 2: from ring 3
  push 0x23
  push RSP3
  push 2
  push 0x1b
  lea rax, [rel ring3]
  push rax
  iretq
ring3:
  call far [rel gptr]
ret3:
  mov [REC + 0x140], rsp
  mov [REC + 0x148], ss
spin:
  jmp spin

target:
  mov rax, [REC + 0x1f0]
  inc qword [REC + 0x1f0]
  shl rax, 6
  mov [REC + rax + 0x80], rsp
  mov rcx, [rsp]
  mov [REC + rax + 0x88], rcx
  mov rcx, [rsp + 8]
  mov [REC + rax + 0x90], rcx
  mov rcx, [rsp + 16]
  mov [REC + rax + 0x98], rcx
  mov rcx, [rsp + 24]
  mov [REC + rax + 0xa0], rcx
  mov [REC + rax + 0xa8], cs
  mov [REC + rax + 0xb0], ss
  o64 retf

align 8
gptr:
  dq 0x12345678
  dw 0x3b
gdt:
  dq 0
  dq 0x00af9b000000ffff      ; 0x08 code64
  dq 0x00cf93000000ffff      ; 0x10 data
  dq 0x00affb000000ffff      ; 0x18 code64 DPL 3
  dq 0x00cff3000000ffff      ; 0x20 data DPL 3
gdt_tss:
  dw 0x67, 0
  db 0, 0x89, 0, 0
  dq 0                       ; 0x28 TSS (16 bytes)
gdt_gate:
  dw 0, 0x08
  db 0, 0xec                 ; 0x38 64-bit call gate, DPL 3 -> 0x08:target
  dw 0
  dq 0
gdt_end:
gdtr:
  dw gdt_end - gdt - 1
  dq gdt
tss:
  times 0x68 db 0
