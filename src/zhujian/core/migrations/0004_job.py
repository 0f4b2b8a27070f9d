"""ImportJob becomes Job (issue 10): imports, report files and exports share one table,
run by ``zhujian worker``; JobWorker holds the workers' heartbeats on PostgreSQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_personal_data_access"),
    ]

    operations = [
        migrations.RenameModel("ImportJob", "Job"),
        migrations.AlterModelOptions(
            name="job",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "后台任务",
                "verbose_name_plural": "后台任务",
            },
        ),
        migrations.AddField(
            model_name="job",
            name="kind",
            field=models.CharField(
                choices=[("import", "导入"), ("report", "生成报告"), ("export", "导出")],
                default="import",
                max_length=16,
                verbose_name="类型",
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="参数"),
        ),
        migrations.AddField(
            model_name="job",
            name="result",
            field=models.FileField(blank=True, upload_to="jobs/%Y/%m/", verbose_name="结果文件"),
        ),
        migrations.AddField(
            model_name="job",
            name="result_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="结果文件名"),
        ),
        migrations.AddField(
            model_name="job",
            name="task_id",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, verbose_name="后台任务编号"
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="worker",
            field=models.CharField(blank=True, max_length=100, verbose_name="后台进程"),
        ),
        migrations.AddField(
            model_name="job",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="开始时间"),
        ),
        migrations.AlterField(
            model_name="job",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="提交时间"),
        ),
        migrations.AlterField(
            model_name="job",
            name="ledger",
            field=models.CharField(blank=True, max_length=64, verbose_name="台账"),
        ),
        migrations.AlterField(
            model_name="job",
            name="file",
            field=models.FileField(blank=True, upload_to="imports/%Y/%m/", verbose_name="上传文件"),
        ),
        migrations.AlterField(
            model_name="job",
            name="filename",
            field=models.CharField(max_length=255, verbose_name="名称"),
        ),
        migrations.AlterField(
            model_name="job",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "排队中"),
                    ("running", "进行中"),
                    ("done", "已完成"),
                    ("refused", "被拒绝"),
                    ("failed", "出错"),
                ],
                default="pending",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="job",
            name="total",
            field=models.PositiveIntegerField(default=0, verbose_name="总数"),
        ),
        migrations.AlterField(
            model_name="job",
            name="done",
            field=models.PositiveIntegerField(default=0, verbose_name="已处理"),
        ),
        migrations.AlterField(
            model_name="job",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="jobs",
                to=settings.AUTH_USER_MODEL,
                verbose_name="用户",
            ),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(fields=["status"], name="core_job_status_idx"),
        ),
        migrations.CreateModel(
            name="JobWorker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("worker_id", models.CharField(max_length=64, unique=True, verbose_name="编号")),
                ("host", models.CharField(max_length=255, verbose_name="主机")),
                ("pid", models.PositiveIntegerField(verbose_name="进程号")),
                ("started_at", models.DateTimeField(verbose_name="启动时间")),
                ("seen_at", models.DateTimeField(verbose_name="最近心跳")),
            ],
            options={"verbose_name": "后台进程", "verbose_name_plural": "后台进程"},
        ),
    ]
