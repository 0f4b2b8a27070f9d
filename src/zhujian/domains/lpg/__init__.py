"""瓶装液化气安全监管 (bottled LPG supervision): one code per cylinder, traced by scans."""
