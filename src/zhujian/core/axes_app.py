"""django-axes (login lockout) under a Chinese name in the admin: 系统管理 › 登录锁定.

A module of its own: a second AppConfig in ``zhujian.core.apps`` would stop Django from
picking CoreConfig for ``zhujian.core`` by itself."""

from axes.apps import AppConfig as AxesAppConfig


class LoginLockoutConfig(AxesAppConfig):
    verbose_name = "登录锁定"
