/* being written */
typedef int exporterbox_placeholder_textparse;
