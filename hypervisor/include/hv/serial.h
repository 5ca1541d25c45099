/* The serial console driver (drivers/char/ns16550.c). */
#ifndef HV_SERIAL_H
#define HV_SERIAL_H

#include <hv/types.h>

void serial_init(void); /* after the command line is parsed */
bool serial_enabled(void);
void serial_putc(char c);	   /* '\n' becomes "\r\n" */
int serial_getc(void);		   /* -1 when no character is waiting */
void serial_start_polling(void);   /* poll for input from a timer (keys) */
const char *serial_describe(void); /* e.g. "com1 0x3f8 115200 8n1" */

#endif
