bits 64
org 0x100000
; IDT at 0x8000: vector 14 -> pfh, vector 6 -> udh
  mov rdi, 0x8000 + 14*16
  lea rax, [rel pfh]
  call setgate
  mov rdi, 0x8000 + 6*16
  lea rax, [rel udh]
  call setgate
  lidt [rel idtr]
  mov rbx, 0x40000000      ; beyond the 1 GiB identity map
  mov dword [rbx+0x10], 5  ; #PF, write, not present
  hlt
pfh:
  mov rax, cr2
  pop rdx                  ; error code
  mov r8, [rsp]            ; faulting RIP
  ud2
udh:
  mov r9, 0x77
  hlt
setgate:  ; rdi = gate address, rax = handler
  mov word [rdi], ax
  mov word [rdi+2], 0x08
  mov word [rdi+4], 0x8e00
  shr rax, 16
  mov word [rdi+6], ax
  shr rax, 16
  mov dword [rdi+8], eax
  mov dword [rdi+12], 0
  ret
idtr: dw 0xfff
  dq 0x8000
