"""The one place report figures are computed (DESIGN §5), with aggregate queries, scoped by
operator. The PDF, the XLSX and the on-screen dashboard all read from here."""
