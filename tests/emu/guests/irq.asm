; an external interrupt wakes "sti; hlt" through a 64-bit interrupt gate
bits 64
org 0x100000
  mov rdi, 0x8000 + 0x30*16
  lea rax, [rel handler]
  mov word [rdi], ax
  mov word [rdi+2], 0x08
  mov word [rdi+4], 0x8e00
  shr rax, 16
  mov word [rdi+6], ax
  shr rax, 16
  mov dword [rdi+8], eax
  mov dword [rdi+12], 0
  lidt [rel idtr]
  sti
  hlt
  mov r13, 1
  cli
  hlt
handler:
  inc r12
  iretq
idtr: dw 0xfff
  dq 0x8000
