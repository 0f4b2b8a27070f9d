"""农民工工资 (seed section 六, last sentence): wage-arrears cases by source.

The migrant workers' wage system (workers, pay sheets, the special wage account) will hang
on the construction projects and enterprises of ``zhujian.domains.construction``.
"""
